/* Reads one container's cgroup files into cg_stats, with reused buffers. */
#ifndef VIGIL_CGROUP_READER_H
#define VIGIL_CGROUP_READER_H

#include "cgroup_layout.h"
#include "cgroup_stats.h"

/** Files kept open between runs, per container: re-reading an open cgroup
 *  file with pread(offset 0) regenerates it and costs a fraction of
 *  open+read+close. Each reader numbers its files below CG_SLOT_COUNT. */
#define CG_SLOT_COUNT 16

/** A container's limits (CPU quota, memory limit and soft limit, pids.max).
 *  They change only when someone updates the container, so each is re-read
 *  at most every `limits_refresh_ns` and reported from here in between. */
typedef struct cg_limits {
    int64_t read_at_ns;          /**< Monotonic time of the last read; 0: never. */
    uint64_t values[4];          /**< In the order of cg_limit_fields. */
} cg_limits;

typedef struct cg_reader {
    /* The current container's descriptors (NULL: open and close each time),
     * and how many more the module may keep open. */
    int *fds;
    size_t *fd_budget;
    char path[CG_PATH_MAX + 640];
    char text[32768];
    int vanished;          /**< A file every cgroup has was missing: the cgroup is gone. */
    double ns_per_tick;    /**< cpuacct.stat counts USER_HZ ticks. */
    uint64_t host_cpus;    /**< For the CPU limit of a container without a quota. */
    cg_limits *limits;     /**< The current container's cached limits; NULL: read every time. */
    int64_t limits_refresh_ns;
} cg_reader;

void cg_reader_init(cg_reader *reader);

/** `relative` is the container's cgroup below each controller root
 *  ("/default/web"). Return 0 with stats filled, or -1 when the cgroup is
 *  gone (reader->vanished) — the caller skips it quietly. */
int cg_read_v1(cg_reader *reader, const cg_layout *layout, const char *relative, cg_stats *stats);
int cg_read_v2(cg_reader *reader, const cg_layout *layout, const char *relative, cg_stats *stats);

/** Shared by both readers: the text of `<dir><relative>/<file>`, or NULL.
 *  A missing `required` file marks the cgroup as vanished. */
const char *cg_read_text(cg_reader *reader, int slot, const char *dir, const char *relative,
                         const char *file, int required);
/** Same for a file holding one number ("max" and "-1" read as VK_MISSING's value). */
int cg_read_number(cg_reader *reader, int slot, const char *dir, const char *relative,
                   const char *file, int required, uint64_t *out);
/** Copies the cached limits into `stats` and returns 1 when they are fresh
 *  enough; 0 when the caller must read them (then call cg_limits_keep). */
int cg_limits_reuse(cg_reader *reader, cg_stats *stats);
void cg_limits_keep(cg_reader *reader, const cg_stats *stats);
/** Closes every kept descriptor in `fds` and gives them back to the budget. */
void cg_close_slots(int *fds, size_t *fd_budget);

#endif
