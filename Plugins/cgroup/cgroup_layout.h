/* Where the cgroup controllers live: v1 (one hierarchy per controller) or v2. */
#ifndef VIGIL_CGROUP_LAYOUT_H
#define VIGIL_CGROUP_LAYOUT_H

#include <stddef.h>

#define CG_PATH_MAX 256

typedef enum cg_version { CG_VERSION_NONE = 0, CG_VERSION_1 = 1, CG_VERSION_2 = 2 } cg_version;

typedef struct cg_layout {
    cg_version version;
    /* v1: the mount point of each controller's hierarchy, "" when absent. */
    char cpu[CG_PATH_MAX], cpuacct[CG_PATH_MAX], memory[CG_PATH_MAX], blkio[CG_PATH_MAX], pids[CG_PATH_MAX];
    /* v2: the unified hierarchy's root. */
    char unified[CG_PATH_MAX];
} cg_layout;

/** With a cgroup_root (e.g. "/host/sys/fs/cgroup"), looks below it; without
 *  one, reads the mounts in `mountinfo_path`. v1 wins on a hybrid host when it
 *  holds the controllers we read. Returns 0, or -1 with a message in err. */
int cg_layout_detect(const char *cgroup_root, const char *mountinfo_path, cg_layout *out,
                     char *err, size_t err_size);

#endif
