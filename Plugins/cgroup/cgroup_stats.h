/* What one read of a container's cgroup yields, whichever cgroup version. */
#ifndef VIGIL_CGROUP_STATS_H
#define VIGIL_CGROUP_STATS_H

#include <stddef.h>
#include <stdint.h>

/** Cumulative counters first (their rates are computed across runs), then
 *  instantaneous values. Keep in step with the metric table in cgroup_check.c. */
typedef enum cg_field {
    CG_CPU_USAGE_NS = 0,
    CG_CPU_USER_NS,
    CG_CPU_SYSTEM_NS,
    CG_CPU_THROTTLED_NS,
    CG_CPU_THROTTLED_PERIODS,
    CG_MEM_PAGE_FAULTS,
    CG_MEM_MAJOR_PAGE_FAULTS,
    CG_RATE_FIELD_COUNT,
    CG_CPU_LIMIT_NANOCORES = CG_RATE_FIELD_COUNT,
    CG_MEM_USAGE,
    CG_MEM_RSS,
    CG_MEM_CACHE,
    CG_MEM_SWAP,
    CG_MEM_WORKING_SET,
    CG_MEM_LIMIT,
    CG_MEM_SOFT_LIMIT,
    CG_MEM_KERNEL,
    CG_MEM_OOM_EVENTS,
    CG_PID_THREADS,
    CG_PID_LIMIT,
    CG_FIELD_COUNT
} cg_field;

/** Block devices tracked per container; more are ignored (rare for a container). */
#define CG_MAX_DEVICES 16

typedef struct cg_io_device {
    uint32_t major, minor;
    uint64_t read_bytes, write_bytes, read_ops, write_ops;
} cg_io_device;

typedef struct cg_stats {
    uint64_t values[CG_FIELD_COUNT];   /**< VK_MISSING when not available. */
    cg_io_device io[CG_MAX_DEVICES];
    size_t io_count;
} cg_stats;

void cg_stats_reset(cg_stats *stats);
/** The entry for a device, added (zeroed) when new; NULL when the table is full. */
cg_io_device *cg_stats_device(cg_stats *stats, uint32_t major, uint32_t minor);

#endif
