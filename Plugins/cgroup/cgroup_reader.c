#include "cgroup_reader.h"
#include "vigil_kit.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

void cg_reader_init(cg_reader *reader) {
    long ticks = sysconf(_SC_CLK_TCK);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    reader->ns_per_tick = 1e9 / (double)(ticks > 0 ? ticks : 100);
    reader->host_cpus = cpus > 0 ? (uint64_t)cpus : 1;
    reader->vanished = 0;
}

static int build_path(cg_reader *reader, const char *dir, const char *relative, const char *file) {
    int n = snprintf(reader->path, sizeof reader->path, "%s%s/%s", dir, relative, file);
    return n > 0 && (size_t)n < sizeof reader->path ? 0 : -1;
}

const char *cg_read_text(cg_reader *reader, const char *dir, const char *relative,
                         const char *file, int required) {
    if (reader->vanished || dir[0] == '\0' || build_path(reader, dir, relative, file) != 0) return NULL;
    if (vk_read_file(reader->path, reader->text, sizeof reader->text) < 0) {
        if (required && (errno == ENOENT || errno == ENODEV)) reader->vanished = 1;
        return NULL;
    }
    return reader->text;
}

int cg_read_number(cg_reader *reader, const char *dir, const char *relative,
                   const char *file, int required, uint64_t *out) {
    if (reader->vanished || dir[0] == '\0' || build_path(reader, dir, relative, file) != 0) return -1;
    if (vk_read_u64(reader->path, out) == 0) return 0;
    if (required && (errno == ENOENT || errno == ENODEV)) reader->vanished = 1;
    return -1;
}
