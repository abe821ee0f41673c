#include "vigil_kit.h"

#include <string.h>

void vk_batch_start(vk_batch *batch, const char *const *tags, size_t tag_count) {
    batch->count = 0;
    batch->tags = tags;
    batch->tag_count = (uint32_t)tag_count;
}

void vk_batch_gauge(vk_batch *batch, const char *name, double value) {
    if (batch->count == VK_BATCH_MAX) return;   /* Sized for the largest group a module submits. */
    vigil_metric *m = &batch->metrics[batch->count++];
    memset(m, 0, sizeof *m);
    m->struct_size = sizeof *m;
    m->type = VIGIL_METRIC_GAUGE;
    m->name = name;
    m->value = value;
    m->tags = batch->tags;
    m->tag_count = batch->tag_count;
}

void vk_batch_rate(vk_batch *batch, const char *name, uint64_t counter, uint64_t epoch) {
    if (counter == VK_MISSING || batch->count == VK_BATCH_MAX) return;
    vigil_metric *m = &batch->metrics[batch->count++];
    memset(m, 0, sizeof *m);
    m->struct_size = sizeof *m;
    m->type = VIGIL_METRIC_RATE;
    m->name = name;
    m->value = (double)counter;
    m->tags = batch->tags;
    m->tag_count = batch->tag_count;
    m->series_epoch = epoch;
}

vigil_status vk_batch_submit(const vigil_host_api *api, vigil_host *host, vk_batch *batch) {
    if (batch->count == 0) return VIGIL_OK;
    vigil_status status = api->submit_metrics(host, batch->metrics, batch->count);
    batch->count = 0;
    return status;
}
