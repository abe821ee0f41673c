#include "cgroup_reader.h"
#include "vigil_kit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

void cg_reader_init(cg_reader *reader) {
    long ticks = sysconf(_SC_CLK_TCK);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    reader->ns_per_tick = 1e9 / (double)(ticks > 0 ? ticks : 100);
    reader->host_cpus = cpus > 0 ? (uint64_t)cpus : 1;
    reader->vanished = 0;
}

static const cg_field cg_limit_fields[4] = {CG_CPU_LIMIT_NANOCORES, CG_MEM_LIMIT, CG_MEM_SOFT_LIMIT, CG_PID_LIMIT};

int cg_limits_reuse(cg_reader *reader, cg_stats *stats) {
    cg_limits *l = reader->limits;
    if (!l || l->read_at_ns == 0 || vk_monotonic_ns() - l->read_at_ns >= reader->limits_refresh_ns) return 0;
    for (int i = 0; i < 4; i++) stats->values[cg_limit_fields[i]] = l->values[i];
    return 1;
}

void cg_limits_keep(cg_reader *reader, const cg_stats *stats) {
    cg_limits *l = reader->limits;
    if (!l || reader->vanished) return;
    for (int i = 0; i < 4; i++) l->values[i] = stats->values[cg_limit_fields[i]];
    l->read_at_ns = vk_monotonic_ns();
}

static int build_path(cg_reader *reader, const char *dir, const char *relative, const char *file) {
    int n = snprintf(reader->path, sizeof reader->path, "%s%s/%s", dir, relative, file);
    return n > 0 && (size_t)n < sizeof reader->path ? 0 : -1;
}

void cg_close_slots(int *fds, size_t *fd_budget) {
    for (int i = 0; i < CG_SLOT_COUNT; i++) {
        if (fds[i] < 0) continue;
        close(fds[i]);
        fds[i] = -1;
        (*fd_budget)++;
    }
}

/* Reads through the kept descriptor when there is one, else opens the file
 * (keeping it when the budget allows). Returns the length or -1 (errno set). */
static ssize_t read_slot(cg_reader *r, int slot, char *buf, size_t cap) {
    int *fd = r->fds ? &r->fds[slot] : NULL;
    if (fd && *fd >= 0) {
        ssize_t n = pread(*fd, buf, cap - 1, 0);
        if (n >= 0) { buf[n] = '\0'; return n; }
        int saved = errno;   /* ENODEV: the cgroup was removed under us. */
        close(*fd);
        *fd = -1;
        (*r->fd_budget)++;
        errno = saved == ENODEV ? ENOENT : saved;
        return -1;
    }
    if (!fd || *r->fd_budget == 0) return vk_read_file(r->path, buf, cap);
    int opened = open(r->path, O_RDONLY | O_CLOEXEC);
    if (opened < 0) return -1;
    ssize_t n = pread(opened, buf, cap - 1, 0);
    if (n < 0) {
        int saved = errno;
        close(opened);
        errno = saved;
        return -1;
    }
    buf[n] = '\0';
    *fd = opened;
    (*r->fd_budget)--;
    return n;
}

const char *cg_read_text(cg_reader *reader, int slot, const char *dir, const char *relative,
                         const char *file, int required) {
    if (reader->vanished || dir[0] == '\0' || build_path(reader, dir, relative, file) != 0) return NULL;
    if (read_slot(reader, slot, reader->text, sizeof reader->text) < 0) {
        if (required && (errno == ENOENT || errno == ENODEV)) reader->vanished = 1;
        return NULL;
    }
    return reader->text;
}

int cg_read_number(cg_reader *reader, int slot, const char *dir, const char *relative,
                   const char *file, int required, uint64_t *out) {
    char buf[64];
    if (reader->vanished || dir[0] == '\0' || build_path(reader, dir, relative, file) != 0) return -1;
    if (read_slot(reader, slot, buf, sizeof buf) < 0) {
        if (required && (errno == ENOENT || errno == ENODEV)) reader->vanished = 1;
        return -1;
    }
    return vk_parse_number(buf, out);
}
