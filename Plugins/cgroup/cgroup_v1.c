/* cgroup v1: one hierarchy per controller (cpu, cpuacct, memory, blkio, pids). */
#include "cgroup_reader.h"
#include "vigil_kit.h"

#include <string.h>

/* The kernel's "unlimited" for v1 memory limits is PAGE_COUNTER_MAX pages,
 * just under 2^63; anything that large means no limit. */
#define V1_UNLIMITED ((uint64_t)1 << 62)

static void read_cpu(cg_reader *r, const cg_layout *l, const char *rel, cg_stats *s) {
    uint64_t usage;
    if (cg_read_number(r, 0, l->cpuacct, rel, "cpuacct.usage", 1, &usage) == 0) s->values[CG_CPU_USAGE_NS] = usage;
    const char *text = cg_read_text(r, 1, l->cpuacct, rel, "cpuacct.stat", 1);
    if (text) {
        static const char *const keys[] = {"user", "system"};
        uint64_t ticks[2];
        uint64_t found = vk_scan_keyed(text, keys, 2, ticks);
        if (found & 1) s->values[CG_CPU_USER_NS] = (uint64_t)((double)ticks[0] * r->ns_per_tick);
        if (found & 2) s->values[CG_CPU_SYSTEM_NS] = (uint64_t)((double)ticks[1] * r->ns_per_tick);
    }
    text = cg_read_text(r, 2, l->cpu, rel, "cpu.stat", 1);
    if (text) {
        static const char *const keys[] = {"nr_throttled", "throttled_time"};
        uint64_t v[2];
        uint64_t found = vk_scan_keyed(text, keys, 2, v);
        if (found & 1) s->values[CG_CPU_THROTTLED_PERIODS] = v[0];
        if (found & 2) s->values[CG_CPU_THROTTLED_NS] = v[1];
    }
}

static void read_memory(cg_reader *r, const cg_layout *l, const char *rel, cg_stats *s) {
    uint64_t v;
    if (cg_read_number(r, 5, l->memory, rel, "memory.usage_in_bytes", 1, &v) == 0) s->values[CG_MEM_USAGE] = v;
    const char *text = cg_read_text(r, 6, l->memory, rel, "memory.stat", 1);
    if (text) {
        /* total_* include descendants, like usage_in_bytes does. */
        static const char *const keys[] = {"total_rss", "total_cache", "total_swap", "total_inactive_file",
                                           "total_pgfault", "total_pgmajfault"};
        uint64_t m[6];
        uint64_t found = vk_scan_keyed(text, keys, 6, m);
        if (found & 1) s->values[CG_MEM_RSS] = m[0];
        if (found & 2) s->values[CG_MEM_CACHE] = m[1];
        if (found & 4) s->values[CG_MEM_SWAP] = m[2];
        if ((found & 8) && s->values[CG_MEM_USAGE] != VK_MISSING) {
            uint64_t usage = s->values[CG_MEM_USAGE];
            s->values[CG_MEM_WORKING_SET] = usage > m[3] ? usage - m[3] : 0;
        }
        if (found & 16) s->values[CG_MEM_PAGE_FAULTS] = m[4];
        if (found & 32) s->values[CG_MEM_MAJOR_PAGE_FAULTS] = m[5];
    }
    if (cg_read_number(r, 9, l->memory, rel, "memory.kmem.usage_in_bytes", 0, &v) == 0) s->values[CG_MEM_KERNEL] = v;
    text = cg_read_text(r, 10, l->memory, rel, "memory.oom_control", 0);
    if (text) {
        static const char *const keys[] = {"oom_kill"};
        if (vk_scan_keyed(text, keys, 1, &v) & 1) s->values[CG_MEM_OOM_EVENTS] = v;
    }
}

/* CPU quota, memory limits and pids.max: read when cg_limits_reuse says so. */
static void read_limits(cg_reader *r, const cg_layout *l, const char *rel, cg_stats *s) {
    uint64_t quota, period, v;
    if (cg_read_number(r, 3, l->cpu, rel, "cpu.cfs_quota_us", 1, &quota) == 0) {
        if (quota != UINT64_MAX && cg_read_number(r, 4, l->cpu, rel, "cpu.cfs_period_us", 1, &period) == 0 && period > 0) {
            s->values[CG_CPU_LIMIT_NANOCORES] = (uint64_t)((double)quota / (double)period * 1e9);
        } else {
            s->values[CG_CPU_LIMIT_NANOCORES] = r->host_cpus * 1000000000ULL;
        }
    }
    if (cg_read_number(r, 7, l->memory, rel, "memory.limit_in_bytes", 1, &v) == 0 && v < V1_UNLIMITED)
        s->values[CG_MEM_LIMIT] = v;
    if (cg_read_number(r, 8, l->memory, rel, "memory.soft_limit_in_bytes", 0, &v) == 0 && v < V1_UNLIMITED)
        s->values[CG_MEM_SOFT_LIMIT] = v;
    if (cg_read_number(r, 14, l->pids, rel, "pids.max", 0, &v) == 0 && v != UINT64_MAX) s->values[CG_PID_LIMIT] = v;
}

/* Lines "MAJ:MIN Read N" / "MAJ:MIN Write N" (others: Sync, Async, Total...). */
static void read_blkio_file(cg_reader *r, const cg_layout *l, const char *rel, const char *file,
                            const char *fallback, cg_stats *s, int ops) {
    int slot = ops ? 12 : 11;   /* Whichever of the two files exists stays in the slot. */
    const char *text = cg_read_text(r, slot, l->blkio, rel, file, 0);
    if (!text) text = cg_read_text(r, slot, l->blkio, rel, fallback, 0);
    if (!text) return;
    for (const char *p = text; *p;) {
        uint64_t major, minor, value;
        const char *q = p;
        if (vk_parse_u64(&q, &major) == 0 && *q == ':' && (q++, vk_parse_u64(&q, &minor) == 0) && *q == ' ') {
            q++;
            int is_read = strncmp(q, "Read ", 5) == 0, is_write = strncmp(q, "Write ", 6) == 0;
            if (is_read || is_write) {
                q += is_read ? 5 : 6;
                cg_io_device *d;
                if (vk_parse_u64(&q, &value) == 0 && (d = cg_stats_device(s, (uint32_t)major, (uint32_t)minor))) {
                    if (ops) { if (is_read) d->read_ops = value; else d->write_ops = value; }
                    else { if (is_read) d->read_bytes = value; else d->write_bytes = value; }
                }
            }
        }
        const char *nl = strchr(p, '\n');
        if (!nl) break;
        p = nl + 1;
    }
}

int cg_read_v1(cg_reader *r, const cg_layout *l, const char *rel, cg_stats *s) {
    r->vanished = 0;
    cg_stats_reset(s);
    read_cpu(r, l, rel, s);
    read_memory(r, l, rel, s);
    read_blkio_file(r, l, rel, "blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes", s, 0);
    read_blkio_file(r, l, rel, "blkio.throttle.io_serviced_recursive", "blkio.throttle.io_serviced", s, 1);
    uint64_t v;
    if (cg_read_number(r, 13, l->pids, rel, "pids.current", 1, &v) == 0) s->values[CG_PID_THREADS] = v;
    if (!cg_limits_reuse(r, s)) {
        read_limits(r, l, rel, s);
        cg_limits_keep(r, s);
    }
    return r->vanished ? -1 : 0;
}
