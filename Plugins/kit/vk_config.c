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

vigil_status vk_require_host_abi(const vigil_host_api *api, unsigned minor, const char *why_minor,
                                 char *errbuf, size_t errbuf_size) {
    if (api->abi_major != VIGIL_ABI_MAJOR) {
        snprintf(errbuf, errbuf_size, "host ABI %u is not %u", api->abi_major, VIGIL_ABI_MAJOR);
        return VIGIL_ERROR_UNSUPPORTED;
    }
    if (api->abi_minor < minor) {
        snprintf(errbuf, errbuf_size, "host ABI %u.%u has no %s; this module needs %u.%u",
                 api->abi_major, api->abi_minor, why_minor, VIGIL_ABI_MAJOR, minor);
        return VIGIL_ERROR_UNSUPPORTED;
    }
    return VIGIL_OK;
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
