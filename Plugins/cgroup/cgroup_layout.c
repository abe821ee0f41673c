#include "cgroup_layout.h"
#include "vigil_kit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int has_v1_controllers(const cg_layout *l) {
    return l->cpu[0] || l->cpuacct[0] || l->memory[0] || l->blkio[0] || l->pids[0];
}

/* Below an explicit root, controllers are directories named after them
 * ("cpu", or co-mounted "cpu,cpuacct"). */
static void find_below(const char *root, const char *const *names, char *out) {
    char path[CG_PATH_MAX];
    for (size_t i = 0; names[i]; i++) {
        int n = snprintf(path, sizeof path, "%s/%s", root, names[i]);
        if (n > 0 && (size_t)n < sizeof path && is_dir(path)) { memcpy(out, path, (size_t)n + 1); return; }
    }
    out[0] = '\0';
}

static int detect_below(const char *root, cg_layout *l, char *err, size_t err_size) {
    char probe[CG_PATH_MAX + 32];
    snprintf(probe, sizeof probe, "%s/cgroup.controllers", root);
    struct stat st;
    if (stat(probe, &st) == 0) {
        l->version = CG_VERSION_2;
        snprintf(l->unified, sizeof l->unified, "%s", root);
        return 0;
    }
    static const char *const cpu[] = {"cpu", "cpu,cpuacct", "cpuacct,cpu", NULL};
    static const char *const cpuacct[] = {"cpuacct", "cpu,cpuacct", "cpuacct,cpu", NULL};
    static const char *const memory[] = {"memory", NULL};
    static const char *const blkio[] = {"blkio", NULL};
    static const char *const pids[] = {"pids", NULL};
    find_below(root, cpu, l->cpu);
    find_below(root, cpuacct, l->cpuacct);
    find_below(root, memory, l->memory);
    find_below(root, blkio, l->blkio);
    find_below(root, pids, l->pids);
    if (has_v1_controllers(l)) { l->version = CG_VERSION_1; return 0; }
    snprintf(err, err_size, "cgroup_root %s holds neither a cgroup v2 hierarchy nor v1 controllers", root);
    return -1;
}

/* True when the comma-separated `options` contain `name` as a whole token. */
static int has_option(const char *options, const char *name) {
    size_t len = strlen(name);
    for (const char *p = options; *p;) {
        const char *comma = strchr(p, ',');
        size_t token = comma ? (size_t)(comma - p) : strlen(p);
        if (token == len && strncmp(p, name, len) == 0) return 1;
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

static void set_path(char *dst, const char *src) {
    if (dst[0] == '\0') snprintf(dst, CG_PATH_MAX, "%s", src);
}

static int detect_from_mounts(const char *mountinfo_path, cg_layout *l, char *err, size_t err_size) {
    /* Read once, at configure: a heap buffer keeps instances independent. */
    enum { MOUNTINFO_MAX = 1 << 20 };
    char *text = malloc(MOUNTINFO_MAX);
    if (!text || vk_read_file(mountinfo_path, text, MOUNTINFO_MAX) < 0) {
        free(text);
        snprintf(err, err_size, "cannot read %s", mountinfo_path);
        return -1;
    }
    char *saveptr = NULL;
    for (char *line = strtok_r(text, "\n", &saveptr); line; line = strtok_r(NULL, "\n", &saveptr)) {
        /* id parent major:minor root mountpoint options [optional...] - fstype source superoptions */
        char mountpoint[CG_PATH_MAX], fstype[32], superopts[512];
        char *dash = strstr(line, " - ");
        if (!dash) continue;
        if (sscanf(line, "%*s %*s %*s %*s %255s", mountpoint) != 1) continue;
        if (sscanf(dash + 3, "%31s %*s %511s", fstype, superopts) != 2) continue;
        if (strcmp(fstype, "cgroup2") == 0) {
            set_path(l->unified, mountpoint);
        } else if (strcmp(fstype, "cgroup") == 0) {
            if (has_option(superopts, "cpu")) set_path(l->cpu, mountpoint);
            if (has_option(superopts, "cpuacct")) set_path(l->cpuacct, mountpoint);
            if (has_option(superopts, "memory")) set_path(l->memory, mountpoint);
            if (has_option(superopts, "blkio")) set_path(l->blkio, mountpoint);
            if (has_option(superopts, "pids")) set_path(l->pids, mountpoint);
        }
    }
    free(text);
    if (has_v1_controllers(l)) { l->version = CG_VERSION_1; return 0; }
    if (l->unified[0]) { l->version = CG_VERSION_2; return 0; }
    snprintf(err, err_size, "no cgroup hierarchy is mounted (read %s)", mountinfo_path);
    return -1;
}

int cg_layout_detect(const char *cgroup_root, const char *mountinfo_path, cg_layout *out,
                     char *err, size_t err_size) {
    memset(out, 0, sizeof *out);
    if (cgroup_root && cgroup_root[0]) return detect_below(cgroup_root, out, err, err_size);
    return detect_from_mounts(mountinfo_path, out, err, err_size);
}
