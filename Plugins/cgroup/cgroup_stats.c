#include "cgroup_stats.h"
#include "vigil_kit.h"

#include <string.h>

void cg_stats_reset(cg_stats *stats) {
    for (size_t i = 0; i < CG_FIELD_COUNT; i++) stats->values[i] = VK_MISSING;
    stats->io_count = 0;
}

cg_io_device *cg_stats_device(cg_stats *stats, uint32_t major, uint32_t minor) {
    for (size_t i = 0; i < stats->io_count; i++) {
        if (stats->io[i].major == major && stats->io[i].minor == minor) return &stats->io[i];
    }
    if (stats->io_count == CG_MAX_DEVICES) return NULL;
    cg_io_device *device = &stats->io[stats->io_count++];
    memset(device, 0, sizeof *device);
    device->major = major;
    device->minor = minor;
    return device;
}
