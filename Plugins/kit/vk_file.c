#include "vigil_kit.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

ssize_t vk_read_file(const char *path, char *buf, size_t cap) {
    if (cap == 0) { errno = EINVAL; return -1; }
    int fd;
    do { fd = open(path, O_RDONLY | O_CLOEXEC); } while (fd < 0 && errno == EINTR);
    if (fd < 0) return -1;
    size_t len = 0;
    for (;;) {
        if (len + 1 >= cap) break;   /* Keep room for the NUL; callers size buffers for their files. */
        ssize_t got = read(fd, buf + len, cap - 1 - len);
        if (got < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        if (got == 0) break;
        len += (size_t)got;
    }
    close(fd);
    buf[len] = '\0';
    return (ssize_t)len;
}

int vk_parse_u64(const char **p, uint64_t *out) {
    const char *s = *p;
    while (*s == ' ' || *s == '\t') s++;
    if (*s < '0' || *s > '9') return -1;
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        uint64_t digit = (uint64_t)(*s - '0');
        v = (v > (UINT64_MAX - digit) / 10) ? UINT64_MAX : v * 10 + digit;
        s++;
    }
    *out = v;
    *p = s;
    return 0;
}

int vk_parse_number(const char *text, uint64_t *out) {
    const char *p = text;
    while (*p == ' ' || *p == '\t') p++;
    if (strncmp(p, "max", 3) == 0) { *out = UINT64_MAX; return 0; }
    /* cgroup v1 writes -1 for "no quota". */
    if (*p == '-') { *out = UINT64_MAX; return 0; }
    return vk_parse_u64(&p, out);
}

int vk_read_u64(const char *path, uint64_t *out) {
    char buf[64];
    if (vk_read_file(path, buf, sizeof buf) < 0) return -1;
    return vk_parse_number(buf, out);
}

uint64_t vk_scan_keyed(const char *text, const char *const *keys, size_t nkeys, uint64_t *out) {
    uint64_t found = 0;
    const char *line = text;
    while (*line) {
        const char *space = line;
        while (*space && *space != ' ' && *space != '\n') space++;
        size_t keylen = (size_t)(space - line);
        if (*space == ' ') {
            for (size_t i = 0; i < nkeys && i < 64; i++) {
                if (keys[i][0] == line[0] && strncmp(keys[i], line, keylen) == 0 && keys[i][keylen] == '\0') {
                    const char *v = space;
                    uint64_t value;
                    if (vk_parse_u64(&v, &value) == 0) {
                        out[i] = value;
                        found |= (uint64_t)1 << i;
                    }
                    break;
                }
            }
        }
        const char *nl = strchr(space, '\n');
        if (!nl) break;
        line = nl + 1;
    }
    return found;
}

int64_t vk_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t vk_realtime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
