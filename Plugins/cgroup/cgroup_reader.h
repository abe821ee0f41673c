/* Reads one container's cgroup files into cg_stats, with reused buffers. */
#ifndef VIGIL_CGROUP_READER_H
#define VIGIL_CGROUP_READER_H

#include "cgroup_layout.h"
#include "cgroup_stats.h"

typedef struct cg_reader {
    char path[CG_PATH_MAX + 640];
    char text[32768];
    int vanished;          /**< A file every cgroup has was missing: the cgroup is gone. */
    double ns_per_tick;    /**< cpuacct.stat counts USER_HZ ticks. */
    uint64_t host_cpus;    /**< For the CPU limit of a container without a quota. */
} cg_reader;

void cg_reader_init(cg_reader *reader);

/** `relative` is the container's cgroup below each controller root
 *  ("/default/web"). Return 0 with stats filled, or -1 when the cgroup is
 *  gone (reader->vanished) — the caller skips it quietly. */
int cg_read_v1(cg_reader *reader, const cg_layout *layout, const char *relative, cg_stats *stats);
int cg_read_v2(cg_reader *reader, const cg_layout *layout, const char *relative, cg_stats *stats);

/** Shared by both readers: the text of `<dir><relative>/<file>`, or NULL.
 *  A missing `required` file marks the cgroup as vanished. */
const char *cg_read_text(cg_reader *reader, const char *dir, const char *relative,
                         const char *file, int required);
/** Same for a file holding one number ("max" and "-1" read as VK_MISSING's value). */
int cg_read_number(cg_reader *reader, const char *dir, const char *relative,
                   const char *file, int required, uint64_t *out);

#endif
