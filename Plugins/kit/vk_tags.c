#include "vigil_kit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vk_tags_clear(vk_tags *tags) {
    tags->text_len = 0;
    tags->count = 0;
    tags->failed = 0;
}

static int reserve(vk_tags *tags, size_t text_needed) {
    if (tags->count == tags->cap) {
        size_t cap = tags->cap ? tags->cap * 2 : 32;
        size_t *offsets = realloc(tags->offsets, cap * sizeof *offsets);
        if (!offsets) return -1;
        tags->offsets = offsets;
        const char **pointers = realloc(tags->pointers, cap * sizeof *pointers);
        if (!pointers) return -1;
        tags->pointers = pointers;
        tags->cap = cap;
    }
    if (tags->text_len + text_needed > tags->text_cap) {
        size_t cap = tags->text_cap ? tags->text_cap : 1024;
        while (cap < tags->text_len + text_needed) cap *= 2;
        char *text = realloc(tags->text, cap);
        if (!text) return -1;
        tags->text = text;
        tags->text_cap = cap;
    }
    return 0;
}

int vk_tags_push(vk_tags *tags, const char *tag) {
    size_t len = strlen(tag) + 1;
    if (reserve(tags, len) != 0) { tags->failed = 1; return -1; }
    memcpy(tags->text + tags->text_len, tag, len);
    tags->offsets[tags->count++] = tags->text_len;
    tags->text_len += len;
    return 0;
}

int vk_tags_pushf(vk_tags *tags, const char *format, ...) {
    char tag[512];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(tag, sizeof tag, format, args);
    va_end(args);
    if (n < 0 || (size_t)n >= sizeof tag) return -1;
    return vk_tags_push(tags, tag);
}

void vk_tags_truncate(vk_tags *tags, size_t count) {
    if (count >= tags->count) return;
    tags->count = count;
    tags->text_len = count ? tags->offsets[count - 1] + strlen(tags->text + tags->offsets[count - 1]) + 1 : 0;
}

const char *const *vk_tags_pointers(vk_tags *tags) {
    for (size_t i = 0; i < tags->count; i++) tags->pointers[i] = tags->text + tags->offsets[i];
    return tags->pointers;
}

static void copy_tags(void *user, const char *const *list, size_t count) {
    vk_tags *tags = user;
    for (size_t i = 0; i < count; i++) vk_tags_push(tags, list[i]);
}

void vk_tags_for_container(const vigil_host_api *api, vigil_host *host, vk_tags *tags,
                           const char *container_id, vigil_cardinality cardinality) {
    char entity[160];
    vk_tags_clear(tags);
    snprintf(entity, sizeof entity, "container_id://%s", container_id);
    if (api->entity_tags(host, entity, cardinality, copy_tags, tags) != VIGIL_OK || tags->count == 0) {
        vk_tags_clear(tags);
        /* The tagger may lag the store by an event; the id alone still
         * attributes the metrics, and only high cardinality may carry it. */
        if (cardinality == VIGIL_CARDINALITY_HIGH) vk_tags_pushf(tags, "container_id:%s", container_id);
    }
}

void vk_tags_free(vk_tags *tags) {
    free(tags->text);
    free(tags->offsets);
    free(tags->pointers);
    memset(tags, 0, sizeof *tags);
}
