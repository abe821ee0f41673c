/* cgroup v2: one unified hierarchy; files exist only for enabled controllers. */
#include "cgroup_reader.h"
#include "vigil_kit.h"

#include <string.h>

static void read_cpu(cg_reader *r, const char *root, const char *rel, cg_stats *s) {
    /* cpu.stat exists in every v2 cgroup, controller or not: our vanish probe. */
    const char *text = cg_read_text(r, 0, root, rel, "cpu.stat", 1);
    if (text) {
        static const char *const keys[] = {"usage_usec", "user_usec", "system_usec", "nr_throttled", "throttled_usec"};
        uint64_t v[5];
        uint64_t found = vk_scan_keyed(text, keys, 5, v);
        if (found & 1) s->values[CG_CPU_USAGE_NS] = v[0] * 1000;
        if (found & 2) s->values[CG_CPU_USER_NS] = v[1] * 1000;
        if (found & 4) s->values[CG_CPU_SYSTEM_NS] = v[2] * 1000;
        if (found & 8) s->values[CG_CPU_THROTTLED_PERIODS] = v[3];
        if (found & 16) s->values[CG_CPU_THROTTLED_NS] = v[4] * 1000;
    }
}

/* cpu.max, memory.max, memory.low and pids.max: read when cg_limits_reuse says so. */
static void read_limits(cg_reader *r, const char *root, const char *rel, cg_stats *s) {
    /* cpu.max: "<quota|max> <period>". */
    const char *text = cg_read_text(r, 1, root, rel, "cpu.max", 0);
    if (text) {
        uint64_t quota, period;
        const char *p = text;
        if (strncmp(p, "max", 3) == 0) {
            s->values[CG_CPU_LIMIT_NANOCORES] = r->host_cpus * 1000000000ULL;
        } else if (vk_parse_u64(&p, &quota) == 0 && vk_parse_u64(&p, &period) == 0 && period > 0) {
            s->values[CG_CPU_LIMIT_NANOCORES] = (uint64_t)((double)quota / (double)period * 1e9);
        }
    }
    uint64_t v;
    if (cg_read_number(r, 5, root, rel, "memory.max", 0, &v) == 0 && v != UINT64_MAX) s->values[CG_MEM_LIMIT] = v;
    if (cg_read_number(r, 6, root, rel, "memory.low", 0, &v) == 0 && v != UINT64_MAX && v > 0) s->values[CG_MEM_SOFT_LIMIT] = v;
    if (cg_read_number(r, 10, root, rel, "pids.max", 0, &v) == 0 && v != UINT64_MAX) s->values[CG_PID_LIMIT] = v;
}

static void read_memory(cg_reader *r, const char *root, const char *rel, cg_stats *s) {
    uint64_t v;
    if (cg_read_number(r, 2, root, rel, "memory.current", 0, &v) != 0) return;   /* No memory controller here. */
    s->values[CG_MEM_USAGE] = v;
    const char *text = cg_read_text(r, 3, root, rel, "memory.stat", 0);
    if (text) {
        static const char *const keys[] = {"anon", "file", "inactive_file", "pgfault", "pgmajfault",
                                           "kernel", "kernel_stack", "slab", "sock"};
        uint64_t m[9];
        uint64_t found = vk_scan_keyed(text, keys, 9, m);
        if (found & 1) s->values[CG_MEM_RSS] = m[0];
        if (found & 2) s->values[CG_MEM_CACHE] = m[1];
        if (found & 4) s->values[CG_MEM_WORKING_SET] = v > m[2] ? v - m[2] : 0;
        if (found & 8) s->values[CG_MEM_PAGE_FAULTS] = m[3];
        if (found & 16) s->values[CG_MEM_MAJOR_PAGE_FAULTS] = m[4];
        /* Kernels before 5.18 have no "kernel" line: add up its main parts. */
        if (found & 32) s->values[CG_MEM_KERNEL] = m[5];
        else if (found & (64 | 128)) s->values[CG_MEM_KERNEL] = ((found & 64) ? m[6] : 0) + ((found & 128) ? m[7] : 0) + ((found & 256) ? m[8] : 0);
    }
    if (cg_read_number(r, 4, root, rel, "memory.swap.current", 0, &v) == 0) s->values[CG_MEM_SWAP] = v;
    text = cg_read_text(r, 7, root, rel, "memory.events", 0);
    if (text) {
        static const char *const keys[] = {"oom_kill"};
        if (vk_scan_keyed(text, keys, 1, &v) & 1) s->values[CG_MEM_OOM_EVENTS] = v;
    }
}

/* io.stat lines: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N". */
static void read_io(cg_reader *r, const char *root, const char *rel, cg_stats *s) {
    const char *text = cg_read_text(r, 8, root, rel, "io.stat", 0);
    if (!text) return;
    for (const char *p = text; *p;) {
        uint64_t major, minor, value;
        const char *q = p;
        cg_io_device *d = NULL;
        if (vk_parse_u64(&q, &major) == 0 && *q == ':' && (q++, vk_parse_u64(&q, &minor) == 0))
            d = cg_stats_device(s, (uint32_t)major, (uint32_t)minor);
        while (d && *q == ' ') {
            q++;
            const char *eq = strchr(q, '=');
            if (!eq) break;
            size_t keylen = (size_t)(eq - q);
            const char *key = q;
            q = eq + 1;
            if (vk_parse_u64(&q, &value) != 0) break;
            if (keylen == 6 && strncmp(key, "rbytes", 6) == 0) d->read_bytes = value;
            else if (keylen == 6 && strncmp(key, "wbytes", 6) == 0) d->write_bytes = value;
            else if (keylen == 4 && strncmp(key, "rios", 4) == 0) d->read_ops = value;
            else if (keylen == 4 && strncmp(key, "wios", 4) == 0) d->write_ops = value;
        }
        const char *nl = strchr(p, '\n');
        if (!nl) break;
        p = nl + 1;
    }
}

int cg_read_v2(cg_reader *r, const cg_layout *l, const char *rel, cg_stats *s) {
    r->vanished = 0;
    cg_stats_reset(s);
    read_cpu(r, l->unified, rel, s);
    if (r->vanished) return -1;
    read_memory(r, l->unified, rel, s);
    read_io(r, l->unified, rel, s);
    uint64_t v;
    if (cg_read_number(r, 9, l->unified, rel, "pids.current", 0, &v) == 0) s->values[CG_PID_THREADS] = v;
    if (!cg_limits_reuse(r, s)) {
        read_limits(r, l->unified, rel, s);
        cg_limits_keep(r, s);
    }
    return r->vanished ? -1 : 0;
}
