#include "vigil_kit.h"

#include <stdlib.h>
#include <string.h>

static int copy_field(char *dst, size_t cap, const char *src) {
    size_t len = src ? strlen(src) : 0;
    if (len >= cap) return -1;
    memcpy(dst, src ? src : "", len + 1);
    return 0;
}

static void keep_running(void *user, const vigil_entity *entity) {
    vk_container_list *list = user;
    if (entity->kind != VIGIL_ENTITY_CONTAINER || entity->container == NULL) return;
    const vigil_container *c = entity->container;
    if (c->state != VIGIL_CONTAINER_RUNNING || c->pid <= 0) return;
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 16;
        vk_container *grown = realloc(list->items, capacity * sizeof *grown);
        if (!grown) { list->overflowed = 1; return; }
        list->items = grown;
        list->capacity = capacity;
    }
    vk_container *slot = &list->items[list->count];
    if (copy_field(slot->id, sizeof slot->id, entity->id) != 0 ||
        copy_field(slot->cgroup_path, sizeof slot->cgroup_path, c->cgroup_path) != 0) {
        list->overflowed = 1;
        return;
    }
    slot->pid = c->pid;
    slot->started_at = c->started_at;
    list->count++;
}

vigil_status vk_list_running(const vigil_host_api *api, vigil_host *host, vk_container_list *list) {
    list->count = 0;
    list->overflowed = 0;
    return api->list_entities(host, VIGIL_ENTITY_CONTAINER, keep_running, list);
}

void vk_container_list_free(vk_container_list *list) {
    free(list->items);
    memset(list, 0, sizeof *list);
}
