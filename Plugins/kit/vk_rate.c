#include "vigil_kit.h"

#include <stdlib.h>
#include <string.h>

/* Open addressing with linear probing; deletion shifts followers back so no
 * tombstones accumulate across runs. */

static uint64_t hash_key(const char *key) {
    uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

static vk_rate_entry *find_slot(vk_rate_entry *slots, size_t capacity, const char *key) {
    size_t mask = capacity - 1;
    for (size_t i = hash_key(key) & mask;; i = (i + 1) & mask) {
        if (slots[i].key[0] == '\0' || strcmp(slots[i].key, key) == 0) return &slots[i];
    }
}

static int grow(vk_rate_table *table) {
    size_t capacity = table->capacity ? table->capacity * 2 : 64;
    vk_rate_entry *slots = calloc(capacity, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < table->capacity; i++) {
        if (table->slots[i].key[0] == '\0') continue;
        *find_slot(slots, capacity, table->slots[i].key) = table->slots[i];
    }
    free(table->slots);
    table->slots = slots;
    table->capacity = capacity;
    return 0;
}

void vk_rate_begin_run(vk_rate_table *table) {
    table->generation++;
}

uint32_t vk_rate_update(vk_rate_table *table, const char *key, uint64_t identity,
                        int64_t now_ns, const uint64_t *values, size_t n, double *rates) {
    if (n > VK_RATE_MAX_VALUES || strlen(key) >= VK_RATE_KEY_MAX || key[0] == '\0') return 0;
    if ((table->count + 1) * 2 > table->capacity && grow(table) != 0) return 0;
    vk_rate_entry *entry = find_slot(table->slots, table->capacity, key);
    uint32_t valid = 0;
    if (entry->key[0] == '\0') {
        strcpy(entry->key, key);
        table->count++;
    } else if (entry->identity == identity && now_ns > entry->at_ns) {
        double seconds = (double)(now_ns - entry->at_ns) / 1e9;
        for (size_t i = 0; i < n; i++) {
            uint64_t before = entry->values[i], after = values[i];
            if (before == VK_MISSING || after == VK_MISSING || after < before) continue;
            rates[i] = (double)(after - before) / seconds;
            valid |= 1u << i;
        }
    }
    entry->identity = identity;
    entry->generation = table->generation;
    entry->at_ns = now_ns;
    for (size_t i = 0; i < n; i++) entry->values[i] = values[i];
    return valid;
}

void vk_rate_end_run(vk_rate_table *table) {
    size_t mask = table->capacity - 1;
    for (size_t i = 0; i < table->capacity; i++) {
        if (table->slots[i].key[0] == '\0' || table->slots[i].generation == table->generation) continue;
        /* Remove slot i, then pull later members of its probe run back into the hole. */
        size_t hole = i;
        table->slots[hole].key[0] = '\0';
        table->count--;
        for (size_t j = (hole + 1) & mask; table->slots[j].key[0] != '\0'; j = (j + 1) & mask) {
            size_t home = hash_key(table->slots[j].key) & mask;
            /* Move j into the hole if its home is not cyclically within (hole, j]. */
            int between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!between) {
                table->slots[hole] = table->slots[j];
                table->slots[j].key[0] = '\0';
                hole = j;
            }
        }
        /* The entry moved into slot i (if any) still needs checking. */
        if (table->slots[i].key[0] != '\0') i--;
    }
}

void vk_rate_table_free(vk_rate_table *table) {
    free(table->slots);
    memset(table, 0, sizeof *table);
}
