/*
 * vigil_kit.h — small helpers shared by the C check modules (cgroup,
 * network). Internal to the modules: linked statically into each .so, never
 * part of the host ABI. Everything here reuses buffers it already owns, so a
 * module's steady-state run allocates nothing per container. Rates are not
 * computed here: modules submit raw counters as VIGIL_METRIC_RATE with a
 * series epoch (vk_batch_rate) and the host's one rate engine does the rest.
 */
#ifndef VIGIL_KIT_H
#define VIGIL_KIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "vigil_module.h"

/* ---- files ------------------------------------------------------------ */

/** Reads a whole (small, pseudo-) file into buf and NUL-terminates it.
 *  Returns the length, or -1 with errno set. Never leaves an fd open. */
ssize_t vk_read_file(const char *path, char *buf, size_t cap);

/** Reads a file holding one unsigned integer ("max" reads as UINT64_MAX).
 *  Returns 0 on success, -1 if the file is missing or malformed. */
int vk_read_u64(const char *path, uint64_t *out);
/** The same parse on text already read. */
int vk_parse_number(const char *text, uint64_t *out);

/** Parses an unsigned decimal at *p, skipping leading blanks; advances *p.
 *  Returns 0 on success, -1 when no digit follows. */
int vk_parse_u64(const char **p, uint64_t *out);

/** Scans "key value" lines (memory.stat, cpu.stat, ...). For each line whose
 *  key equals keys[i], stores the value in out[i] and sets bit i of the
 *  returned mask. At most 64 keys. */
uint64_t vk_scan_keyed(const char *text, const char *const *keys, size_t nkeys, uint64_t *out);

/** A value the reader could not get; it is not submitted. */
#define VK_MISSING UINT64_MAX

/** Monotonic and wall clocks in nanoseconds. */
int64_t vk_monotonic_ns(void);
int64_t vk_realtime_ns(void);

/* ---- configuration ---------------------------------------------------- */

/** Copies an instance option into buf, or `fallback` when it is unset or
 *  does not fit. Returns 1 when the option was set. */
int vk_instance_option(const vigil_host_api *api, vigil_host *host, const char *key,
                       const char *fallback, char *buf, size_t cap);

/** Checks, at configure, that the host speaks this major ABI and at least
 *  `minor` of it; otherwise writes why into errbuf and returns
 *  VIGIL_ERROR_UNSUPPORTED (`why_minor` says what the module needs of it). */
vigil_status vk_require_host_abi(const vigil_host_api *api, unsigned minor, const char *why_minor,
                                 char *errbuf, size_t errbuf_size);

/** Parses "low" | "orchestrator" (or "orch") | "high", in any case. Returns -1 for anything else. */
int vk_parse_cardinality(const char *text, vigil_cardinality *out);

/** Logs a formatted line through the host at `level`. */
void vk_logf(const vigil_host_api *api, vigil_host *host, vigil_log_level level,
             const char *format, ...) __attribute__((format(printf, 4, 5)));

/* ---- running containers ------------------------------------------------ */

/** What a module keeps of one running container between list_entities and
 *  the end of its run. Fixed-size fields so the snapshot reuses its slots. */
typedef struct vk_container {
    char id[128];
    char cgroup_path[256];
    int64_t pid;
    int64_t started_at;
} vk_container;

typedef struct vk_container_list {
    vk_container *items;
    size_t count;
    size_t capacity;
    int overflowed;   /**< A field did not fit or memory ran out; see vk_list_running. */
} vk_container_list;

/** Refills `list` with the running containers (state RUNNING, pid > 0) the
 *  host knows. Returns VIGIL_OK or the host's error. Containers whose id or
 *  cgroup path do not fit are left out and set list->overflowed. */
vigil_status vk_list_running(const vigil_host_api *api, vigil_host *host, vk_container_list *list);
void vk_container_list_free(vk_container_list *list);

/* ---- tags -------------------------------------------------------------- */

/** A tag list in module-owned, reused storage: the container's tags from the
 *  tagger, plus extra tags pushed and popped around per-device metrics. */
typedef struct vk_tags {
    char *text;
    size_t text_len, text_cap;
    size_t *offsets;           /**< Start of each tag in text. */
    const char **pointers;     /**< Rebuilt by vk_tags_pointers(). */
    size_t count, cap;
    int failed;                /**< Out of memory while filling. */
} vk_tags;

void vk_tags_clear(vk_tags *tags);
/** Appends one tag (copied). Returns 0, or -1 when memory runs out. */
int vk_tags_push(vk_tags *tags, const char *tag);
int vk_tags_pushf(vk_tags *tags, const char *format, ...) __attribute__((format(printf, 2, 3)));
/** Drops tags past `count`. */
void vk_tags_truncate(vk_tags *tags, size_t count);
/** Stable pointers to the current tags (valid until the next push). */
const char *const *vk_tags_pointers(vk_tags *tags);
/** Replaces the list with the tagger's tags for a container; falls back to
 *  "container_id:<id>" when the tagger does not know it. */
void vk_tags_for_container(const vigil_host_api *api, vigil_host *host, vk_tags *tags,
                           const char *container_id, vigil_cardinality cardinality);
void vk_tags_free(vk_tags *tags);

/* ---- metric batches -------------------------------------------------------- */

#define VK_BATCH_MAX 32

/** Metrics that share one tag list, submitted together. */
typedef struct vk_batch {
    vigil_metric metrics[VK_BATCH_MAX];
    size_t count;
    const char *const *tags;
    uint32_t tag_count;
} vk_batch;

void vk_batch_start(vk_batch *batch, const char *const *tags, size_t tag_count);
void vk_batch_gauge(vk_batch *batch, const char *name, double value);
/** Adds a cumulative counter as VIGIL_METRIC_RATE: the host reports its
 *  per-second increase between runs. `epoch` is what keeps the counter
 *  continuous (the container's incarnation, the namespace's inode): when it
 *  changes, the host starts a new baseline. VK_MISSING is not added. */
void vk_batch_rate(vk_batch *batch, const char *name, uint64_t counter, uint64_t epoch);
/** Submits what was added; returns the host's status. */
vigil_status vk_batch_submit(const vigil_host_api *api, vigil_host *host, vk_batch *batch);

#endif /* VIGIL_KIT_H */
