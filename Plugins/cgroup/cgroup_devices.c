#include "cgroup_devices.h"
#include "vigil_kit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int from_uevent(const cg_devices *d, uint32_t major, uint32_t minor, char *name, size_t cap) {
    char path[320], text[1024];
    snprintf(path, sizeof path, "%s/dev/block/%u:%u/uevent", d->sys_root, major, minor);
    if (vk_read_file(path, text, sizeof text) < 0) return -1;
    const char *line = strstr(text, "DEVNAME=");
    if (!line) return -1;
    line += 8;
    size_t len = strcspn(line, "\n");
    if (len == 0 || len >= cap) return -1;
    memcpy(name, line, len);
    name[len] = '\0';
    return 0;
}

/* "major minor #blocks name" after two header lines. */
static int from_partitions(const cg_devices *d, uint32_t major, uint32_t minor, char *name, size_t cap) {
    char path[320];
    static const size_t text_cap = 65536;
    snprintf(path, sizeof path, "%s/partitions", d->proc_root);
    char *text = malloc(text_cap);   /* Only on a cache miss. */
    if (!text) return -1;
    int result = -1;
    if (vk_read_file(path, text, text_cap) >= 0) {
        for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
            unsigned ma, mi;
            unsigned long long blocks;
            char dev[40];
            if (sscanf(line, " %u %u %llu %39s", &ma, &mi, &blocks, dev) == 4 && ma == major && mi == minor &&
                strlen(dev) < cap) {
                strcpy(name, dev);
                result = 0;
                break;
            }
        }
    }
    free(text);
    return result;
}

const char *cg_device_lookup(cg_devices *d, uint32_t major, uint32_t minor) {
    for (size_t i = 0; i < d->count; i++) {
        if (d->items[i].major == major && d->items[i].minor == minor) return d->items[i].name;
    }
    if (d->count == d->capacity) {
        size_t capacity = d->capacity ? d->capacity * 2 : 8;
        cg_device_name *grown = realloc(d->items, capacity * sizeof *grown);
        if (!grown) return "unknown";
        d->items = grown;
        d->capacity = capacity;
    }
    cg_device_name *entry = &d->items[d->count++];
    entry->major = major;
    entry->minor = minor;
    if (from_uevent(d, major, minor, entry->name, sizeof entry->name) != 0 &&
        from_partitions(d, major, minor, entry->name, sizeof entry->name) != 0) {
        snprintf(entry->name, sizeof entry->name, "%u:%u", major, minor);
    }
    return entry->name;
}

void cg_devices_free(cg_devices *d) {
    free(d->items);
    d->items = NULL;
    d->count = d->capacity = 0;
}
