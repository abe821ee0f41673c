/*
 * example — the smallest useful Vigil check, meant to be copied.
 *
 * Build it outside the agent's tree with only the public header:
 *     cc -shared -fPIC -O2 -I CHeaders/include example.c -o example.so
 * and drop example.so into a directory listed in `modules_path`.
 *
 * conf.d/example.d/conf.yaml:
 *     instances:
 *       - value: 42
 *         tags: [team:infra]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil_module.h"

/* Everything an instance needs between runs. */
typedef struct example_instance {
    const vigil_host_api *api;
    vigil_host *host;
    double value;      /* the instance option `value` */
    double runs;       /* a counter, reported as a rate */
} example_instance;

static vigil_status example_configure(const vigil_host_api *api, vigil_host *host,
                                      const vigil_instance_config *config,
                                      void **instance_out, char *errbuf, size_t errbuf_size) {
    (void)config;
    char text[64];
    /* The host renders the option as text; no YAML parser needed here. */
    if (api->config_value(host, VIGIL_CONFIG_INSTANCE, "value", text, sizeof text) == (size_t)-1) {
        snprintf(errbuf, errbuf_size, "the instance option `value` is required");
        return VIGIL_ERROR_CONFIG;
    }
    char *end = NULL;
    double value = strtod(text, &end);
    if (end == text || *end != '\0') {
        snprintf(errbuf, errbuf_size, "`value` must be a number, got \"%s\"", text);
        return VIGIL_ERROR_CONFIG;
    }
    example_instance *self = calloc(1, sizeof *self);
    if (self == NULL) {
        snprintf(errbuf, errbuf_size, "out of memory");
        return VIGIL_ERROR;
    }
    self->api = api;
    self->host = host;
    self->value = value;
    *instance_out = self;
    return VIGIL_OK;
}

static vigil_status example_run(void *instance, char *errbuf, size_t errbuf_size) {
    (void)errbuf;
    (void)errbuf_size;
    example_instance *self = instance;
    self->runs += 1;
    static const char *const tags[] = {"source:example"};
    vigil_metric metrics[2] = {
        {.struct_size = sizeof(vigil_metric), .type = VIGIL_METRIC_GAUGE,
         .name = "example.value", .value = self->value, .tags = tags, .tag_count = 1},
        /* A cumulative count as a rate: the host reports runs per second. */
        {.struct_size = sizeof(vigil_metric), .type = VIGIL_METRIC_RATE,
         .name = "example.runs", .value = self->runs, .tags = tags, .tag_count = 1},
    };
    self->api->submit_metrics(self->host, metrics, 2);

    vigil_service_check check = {
        .struct_size = sizeof(vigil_service_check), .status = VIGIL_SC_OK,
        .name = "example.can_run", .message = "example ran",
    };
    self->api->submit_service_check(self->host, &check);
    return VIGIL_OK;
}

static void example_destroy(void *instance) { free(instance); }

static const vigil_module example_module = {
    .struct_size = sizeof(vigil_module),
    .abi_major = VIGIL_ABI_MAJOR,
    .abi_minor = VIGIL_ABI_MINOR,
    .name = "example",
    .version = "1.0.0",
    .description = "Reports the configured value; a template for check authors",
    .kinds = VIGIL_MODULE_KIND_CHECK,
    .configure = example_configure,
    .run = example_run,
    .destroy = example_destroy,
};

VIGIL_MODULE_ENTRY {
    (void)host_abi_minor;
    return host_abi_major == VIGIL_ABI_MAJOR ? &example_module : NULL;
}
