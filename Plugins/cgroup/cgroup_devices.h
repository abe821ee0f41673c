/* Block device names ("vda") for the major:minor numbers cgroups report. */
#ifndef VIGIL_CGROUP_DEVICES_H
#define VIGIL_CGROUP_DEVICES_H

#include <stddef.h>
#include <stdint.h>

typedef struct cg_device_name {
    uint32_t major, minor;
    char name[40];
} cg_device_name;

/** Names are looked up once and cached: devices rarely change. */
typedef struct cg_devices {
    char sys_root[256];    /**< Usually "/sys". */
    char proc_root[256];   /**< For <proc_root>/partitions. */
    cg_device_name *items;
    size_t count, capacity;
} cg_devices;

/** The device's name from <sys>/dev/block/M:m/uevent (DEVNAME), else
 *  <proc>/partitions, else "M:m". The pointer stays valid until the next call. */
const char *cg_device_lookup(cg_devices *devices, uint32_t major, uint32_t minor);
void cg_devices_free(cg_devices *devices);

#endif
