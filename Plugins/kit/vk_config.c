#include "vigil_kit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int vk_instance_option(const vigil_host_api *api, vigil_host *host, const char *key,
                       const char *fallback, char *buf, size_t cap) {
    size_t len = api->config_value(host, VIGIL_CONFIG_INSTANCE, key, buf, cap);
    if (len != (size_t)-1 && len < cap && buf[0] != '\0') return 1;
    snprintf(buf, cap, "%s", fallback);
    return 0;
}

/* The C twin of the host's one cardinality parser (OriginCardinality in
 * Sources/VigilModel/Tagging.swift), which modules cannot link: the same
 * names, in any case, as the reference agent accepts them. */
int vk_parse_cardinality(const char *text, vigil_cardinality *out) {
    if (strcasecmp(text, "low") == 0) { *out = VIGIL_CARDINALITY_LOW; return 0; }
    if (strcasecmp(text, "orchestrator") == 0 || strcasecmp(text, "orch") == 0) {
        *out = VIGIL_CARDINALITY_ORCHESTRATOR;
        return 0;
    }
    if (strcasecmp(text, "high") == 0) { *out = VIGIL_CARDINALITY_HIGH; return 0; }
    return -1;
}

void vk_logf(const vigil_host_api *api, vigil_host *host, vigil_log_level level, const char *format, ...) {
    char line[512];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    api->log(host, level, line);
}
