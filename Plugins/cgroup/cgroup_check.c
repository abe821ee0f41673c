/*
 * The `cgroup` check: for every running container the host knows, reads its
 * cgroup (v1 or v2) and submits container.cpu.*, .memory.*, .io.*, .pid.*
 * and container.uptime with the container's tags. Cumulative counters (CPU
 * time, page faults, I/O) are submitted raw as VIGIL_METRIC_RATE and the host
 * computes their rates; each carries the container's incarnation as its
 * series epoch, so a restarted container (new start time, fresh counters)
 * starts a new baseline instead of reporting a bogus rate.
 */
#include "cgroup_devices.h"
#include "cgroup_layout.h"
#include "cgroup_reader.h"
#include "vigil_kit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct cg_fd_slot {
    char id[128];
    uint64_t identity;
    int fds[CG_SLOT_COUNT];
    /* The init process's start (clock ticks since boot), read once per
     * incarnation: it cannot change while id and pid stay the same. 0 = not read. */
    uint64_t init_start_ticks;
    cg_limits limits;
} cg_fd_slot;

typedef struct cgroup_check {
    const vigil_host_api *api;
    vigil_host *host;
    vigil_cardinality cardinality;
    char proc_root[CG_PATH_MAX];
    cg_layout layout;
    vk_container_list containers;
    vk_tags tags;
    cg_devices devices;
    cg_reader reader;
    cg_stats stats;
    vk_batch batch;
    char relative[CG_PATH_MAX + 64];
    /* Kept descriptors, by position in the container list; a slot whose
     * container changed (id or incarnation) is closed and refilled. */
    cg_fd_slot *slots;
    size_t slot_count;
    size_t fd_budget;
} cgroup_check;

static const char *const rate_names[CG_RATE_FIELD_COUNT] = {
    [CG_CPU_USAGE_NS] = "container.cpu.usage",
    [CG_CPU_USER_NS] = "container.cpu.user",
    [CG_CPU_SYSTEM_NS] = "container.cpu.system",
    [CG_CPU_THROTTLED_NS] = "container.cpu.throttled",
    [CG_CPU_THROTTLED_PERIODS] = "container.cpu.throttled.periods",
    [CG_MEM_PAGE_FAULTS] = "container.memory.page_faults",
    [CG_MEM_MAJOR_PAGE_FAULTS] = "container.memory.major_page_faults",
};

static const char *const gauge_names[CG_FIELD_COUNT] = {
    [CG_CPU_LIMIT_NANOCORES] = "container.cpu.limit",
    [CG_MEM_USAGE] = "container.memory.usage",
    [CG_MEM_RSS] = "container.memory.rss",
    [CG_MEM_CACHE] = "container.memory.cache",
    [CG_MEM_SWAP] = "container.memory.swap",
    [CG_MEM_WORKING_SET] = "container.memory.working_set",
    [CG_MEM_LIMIT] = "container.memory.limit",
    [CG_MEM_SOFT_LIMIT] = "container.memory.soft_limit",
    [CG_MEM_KERNEL] = "container.memory.kernel",
    [CG_MEM_OOM_EVENTS] = "container.memory.oom_events",
    [CG_PID_THREADS] = "container.pid.thread_count",
    [CG_PID_LIMIT] = "container.pid.thread_limit",
};

static const char *const io_names[4] = {
    "container.io.read", "container.io.write", "container.io.read.operations", "container.io.write.operations",
};

/* A container whose store entry has no cgroup path: take the one its init
 * process is in ("N:memory:/path" in v1, "0::/path" in v2). */
static int relative_from_proc(cgroup_check *c, int64_t pid) {
    char path[CG_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%lld/cgroup", c->proc_root, (long long)pid);
    if (vk_read_file(path, c->reader.text, sizeof c->reader.text) < 0) return -1;
    for (const char *line = c->reader.text; *line;) {
        const char *first = strchr(line, ':');
        const char *second = first ? strchr(first + 1, ':') : NULL;
        const char *nl = strchr(line, '\n');
        size_t line_end = nl ? (size_t)(nl - line) : strlen(line);
        if (second && (size_t)(second - line) < line_end) {
            size_t ctl_len = (size_t)(second - first - 1);
            int wanted = c->layout.version == CG_VERSION_2 ? ctl_len == 0 && strncmp(line, "0:", 2) == 0
                                                           : ctl_len == 6 && strncmp(first + 1, "memory", 6) == 0;
            size_t len = line_end - (size_t)(second + 1 - line);
            if (wanted && len < sizeof c->relative) {
                memcpy(c->relative, second + 1, len);
                c->relative[len] = '\0';
                if (strcmp(c->relative, "/") == 0) c->relative[0] = '\0';
                return 0;
            }
        }
        if (!nl) break;
        line = nl + 1;
    }
    return -1;
}

/* What changes when a container restarts under the same id: the series
 * epoch of its counters. */
static uint64_t incarnation(const vk_container *container) {
    return (uint64_t)container->started_at ^ ((uint64_t)container->pid << 32);
}

/* The init process's start, field 22 of /proc/<pid>/stat in clock ticks
 * since boot; 0 when it cannot be read. */
static uint64_t init_start_ticks(cgroup_check *c, int64_t pid) {
    char path[CG_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%lld/stat", c->proc_root, (long long)pid);
    if (vk_read_file(path, c->reader.text, sizeof c->reader.text) < 0) return 0;
    const char *p = strrchr(c->reader.text, ')');   /* The command may contain spaces. */
    if (!p) return 0;
    for (int field = 2; field < 22 && *p; p++) {
        if (*p == ' ') field++;
    }
    uint64_t ticks;
    return vk_parse_u64(&p, &ticks) == 0 ? ticks : 0;
}

/* Seconds since the container started: from its start time when the store
 * has one, else from its init process's start, remembered in the
 * container's slot so /proc is read once per incarnation, not every run.
 * -1 when neither is known. */
static double container_uptime(cgroup_check *c, size_t index, const vk_container *container) {
    if (container->started_at > 0) {
        double uptime = (double)(vk_realtime_ns() - container->started_at) / 1e9;
        return uptime > 0 ? uptime : 0;
    }
    cg_fd_slot *slot = index < c->slot_count ? &c->slots[index] : NULL;
    uint64_t ticks = slot ? slot->init_start_ticks : 0;
    if (ticks == 0) {
        ticks = init_start_ticks(c, container->pid);
        if (ticks == 0) return -1;
        if (slot) slot->init_start_ticks = ticks;
    }
    struct timespec boot;
    clock_gettime(CLOCK_BOOTTIME, &boot);
    double since_boot = (double)boot.tv_sec + (double)boot.tv_nsec / 1e9;
    double uptime = since_boot - (double)ticks * c->reader.ns_per_tick / 1e9;
    return uptime > 0 ? uptime : 0;
}

static void submit_io(cgroup_check *c, uint64_t epoch) {
    size_t base = c->tags.count;
    for (size_t i = 0; i < c->stats.io_count; i++) {
        const cg_io_device *d = &c->stats.io[i];
        const uint64_t values[4] = {d->read_bytes, d->write_bytes, d->read_ops, d->write_ops};
        vk_tags_truncate(&c->tags, base);
        vk_tags_pushf(&c->tags, "device:%s", cg_device_lookup(&c->devices, d->major, d->minor));
        vk_batch_start(&c->batch, vk_tags_pointers(&c->tags), c->tags.count);
        for (size_t k = 0; k < 4; k++) vk_batch_rate(&c->batch, io_names[k], values[k], epoch);
        vk_batch_submit(c->api, c->host, &c->batch);
    }
    vk_tags_truncate(&c->tags, base);
}

static void release_slot(cgroup_check *c, cg_fd_slot *slot) {
    cg_close_slots(slot->fds, &c->fd_budget);
    slot->id[0] = '\0';
    slot->init_start_ticks = 0;
    slot->limits.read_at_ns = 0;
}

/* Makes sure there is a slot per listed container; only grows. */
static void reserve_slots(cgroup_check *c, size_t count) {
    if (count <= c->slot_count) return;
    cg_fd_slot *grown = realloc(c->slots, count * sizeof *grown);
    if (!grown) return;   /* Then the extra containers open and close their files. */
    for (size_t i = c->slot_count; i < count; i++) {
        grown[i].id[0] = '\0';
        grown[i].identity = 0;
        grown[i].init_start_ticks = 0;
        grown[i].limits.read_at_ns = 0;
        for (int f = 0; f < CG_SLOT_COUNT; f++) grown[i].fds[f] = -1;
    }
    c->slots = grown;
    c->slot_count = count;
}

static void bind_slot(cgroup_check *c, size_t index, const vk_container *container) {
    c->reader.fds = NULL;
    c->reader.limits = NULL;
    if (index >= c->slot_count) return;
    cg_fd_slot *slot = &c->slots[index];
    if (strcmp(slot->id, container->id) != 0 || slot->identity != incarnation(container)) {
        release_slot(c, slot);
        snprintf(slot->id, sizeof slot->id, "%s", container->id);
        slot->identity = incarnation(container);
        slot->init_start_ticks = 0;
        slot->limits.read_at_ns = 0;
    }
    c->reader.fds = slot->fds;
    c->reader.limits = &slot->limits;
}

static void collect(cgroup_check *c, size_t index, const vk_container *container) {
    const char *relative = container->cgroup_path;
    if (relative[0] == '\0') {
        if (relative_from_proc(c, container->pid) != 0) {
            vk_logf(c->api, c->host, VIGIL_LOG_DEBUG, "container %s: no cgroup path and none under %s/%lld",
                    container->id, c->proc_root, (long long)container->pid);
            return;
        }
        relative = c->relative;
    }
    bind_slot(c, index, container);
    int read = c->layout.version == CG_VERSION_2 ? cg_read_v2(&c->reader, &c->layout, relative, &c->stats)
                                                  : cg_read_v1(&c->reader, &c->layout, relative, &c->stats);
    if (read != 0) {
        if (index < c->slot_count) release_slot(c, &c->slots[index]);
        /* Stopped between the listing and the read: normal churn, not an error. */
        vk_logf(c->api, c->host, VIGIL_LOG_DEBUG, "container %s: cgroup %s is gone; skipped", container->id, relative);
        return;
    }
    uint64_t epoch = incarnation(container);
    vk_tags_for_container(c->api, c->host, &c->tags, container->id, c->cardinality);
    vk_batch_start(&c->batch, vk_tags_pointers(&c->tags), c->tags.count);
    for (size_t f = 0; f < CG_RATE_FIELD_COUNT; f++) vk_batch_rate(&c->batch, rate_names[f], c->stats.values[f], epoch);
    for (size_t f = CG_RATE_FIELD_COUNT; f < CG_FIELD_COUNT; f++) {
        if (c->stats.values[f] != VK_MISSING) vk_batch_gauge(&c->batch, gauge_names[f], (double)c->stats.values[f]);
    }
    double uptime = container_uptime(c, index, container);
    if (uptime >= 0) vk_batch_gauge(&c->batch, "container.uptime", uptime);
    vk_batch_submit(c->api, c->host, &c->batch);
    submit_io(c, epoch);
}

static vigil_status cgroup_run(void *instance, char *errbuf, size_t errbuf_size) {
    cgroup_check *c = instance;
    vigil_status status = vk_list_running(c->api, c->host, &c->containers);
    if (status != VIGIL_OK) {
        snprintf(errbuf, errbuf_size, "cannot list containers (status %d)", (int)status);
        return status;
    }
    if (c->containers.overflowed) {
        vk_logf(c->api, c->host, VIGIL_LOG_WARN, "some containers were left out: id or cgroup path too long, or out of memory");
    }
    reserve_slots(c, c->containers.count);
    for (size_t i = 0; i < c->containers.count; i++) collect(c, i, &c->containers.items[i]);
    for (size_t i = c->containers.count; i < c->slot_count; i++) release_slot(c, &c->slots[i]);
    c->reader.fds = NULL;
    return VIGIL_OK;
}

static void cgroup_destroy(void *instance) {
    cgroup_check *c = instance;
    if (!c) return;
    vk_container_list_free(&c->containers);
    vk_tags_free(&c->tags);
    cg_devices_free(&c->devices);
    for (size_t i = 0; i < c->slot_count; i++) release_slot(c, &c->slots[i]);
    free(c->slots);
    free(c);
}

static vigil_status cgroup_configure(const vigil_host_api *api, vigil_host *host, const vigil_instance_config *config,
                                     void **instance_out, char *errbuf, size_t errbuf_size) {
    (void)config;
    /* Rates come from the host and need it to honour series epochs (1.1). */
    vigil_status abi = vk_require_host_abi(api, 1, "series epochs", errbuf, errbuf_size);
    if (abi != VIGIL_OK) return abi;
    cgroup_check *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(errbuf, errbuf_size, "out of memory");
        return VIGIL_ERROR;
    }
    c->api = api;
    c->host = host;
    char option[CG_PATH_MAX], cgroup_root[CG_PATH_MAX];
    vk_instance_option(api, host, "tag_cardinality", "high", option, sizeof option);
    if (vk_parse_cardinality(option, &c->cardinality) != 0) {
        snprintf(errbuf, errbuf_size, "tag_cardinality must be low, orchestrator or high, not \"%s\"", option);
        free(c);
        return VIGIL_ERROR_CONFIG;
    }
    vk_instance_option(api, host, "proc_root", "/proc", c->proc_root, sizeof c->proc_root);
    vk_instance_option(api, host, "cgroup_root", "", cgroup_root, sizeof cgroup_root);
    if (cg_layout_detect(cgroup_root, "/proc/self/mountinfo", &c->layout, errbuf, errbuf_size) != 0) {
        free(c);
        return VIGIL_ERROR_CONFIG;
    }
    /* Kept descriptors: `max_open_files`, by default half the process's soft
     * RLIMIT_NOFILE so the rest of the agent keeps plenty. 0 disables. */
    char budget[32];
    struct rlimit limit;
    long default_budget = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY
                              ? (long)(limit.rlim_cur / 2) : 512;
    snprintf(option, sizeof option, "%ld", default_budget);
    vk_instance_option(api, host, "max_open_files", option, budget, sizeof budget);
    char *end = NULL;
    long parsed = strtol(budget, &end, 10);
    if (end == budget || *end != '\0' || parsed < 0) {
        snprintf(errbuf, errbuf_size, "max_open_files must be a number >= 0, not \"%s\"", budget);
        free(c);
        return VIGIL_ERROR_CONFIG;
    }
    c->fd_budget = (size_t)parsed;
    /* Limits change only when the container is updated: `limits_refresh_seconds`
     * (default 60, 0 = every run) bounds how stale a reported limit can be. */
    char refresh[32];
    vk_instance_option(api, host, "limits_refresh_seconds", "60", refresh, sizeof refresh);
    double refresh_seconds = strtod(refresh, &end);
    if (end == refresh || *end != '\0' || refresh_seconds < 0) {
        snprintf(errbuf, errbuf_size, "limits_refresh_seconds must be a number >= 0, not \"%s\"", refresh);
        free(c);
        return VIGIL_ERROR_CONFIG;
    }
    c->reader.fd_budget = &c->fd_budget;
    snprintf(c->devices.sys_root, sizeof c->devices.sys_root, "/sys");
    snprintf(c->devices.proc_root, sizeof c->devices.proc_root, "%s", c->proc_root);
    cg_reader_init(&c->reader);
    c->reader.limits_refresh_ns = (int64_t)(refresh_seconds * 1e9);
    vk_logf(api, host, VIGIL_LOG_DEBUG, "cgroup v%d (%s)", (int)c->layout.version,
            c->layout.version == CG_VERSION_2 ? c->layout.unified : c->layout.memory);
    *instance_out = c;
    return VIGIL_OK;
}

static const vigil_module cgroup_module = {
    .struct_size = sizeof(vigil_module),
    .abi_major = VIGIL_ABI_MAJOR,
    .abi_minor = VIGIL_ABI_MINOR,
    .name = "cgroup",
    .version = "1.1.0",
    .description = "Container CPU, memory, I/O and PID metrics from cgroups v1 and v2",
    .kinds = VIGIL_MODULE_KIND_CHECK,
    .configure = cgroup_configure,
    .run = cgroup_run,
    .destroy = cgroup_destroy,
};

VIGIL_MODULE_ENTRY {
    if (host_abi_major != VIGIL_ABI_MAJOR) return NULL;
    (void)host_abi_minor;
    return &cgroup_module;
}
