/* submit_event from C: every field reaches the agent's event, strings are
 * copied by the host (the probe overwrites and frees them right after the
 * call), defaults fill what is left out, malformed events are refused. */
#include "probe.h"

static vigil_status probe_step(probe *p, int step, char *err, size_t n) {
    (void)step;
    char *title = probe_dup("disk full"), *text = probe_dup("/var is at 99%");
    char *tag_a = probe_dup("b:2"), *tag_b = probe_dup("a:1");
    char *hostname = probe_dup("elsewhere"), *key = probe_dup("disk-var"), *source = probe_dup("custom");
    const char *tags[] = {tag_a, tag_b};
    vigil_event e;
    memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    e.priority = VIGIL_EVENT_PRIORITY_LOW;
    e.title = title;
    e.text = text;
    e.tags = tags;
    e.tag_count = 2;
    e.alert_type = VIGIL_ALERT_ERROR;
    e.hostname = hostname;
    e.aggregation_key = key;
    e.source_type_name = source;
    e.timestamp = 1234567890;
    PROBE_CHECK(p->api->submit_event(p->host, &e) == VIGIL_OK);
    probe_scribble(title); probe_scribble(text); probe_scribble(tag_a); probe_scribble(tag_b);
    probe_scribble(hostname); probe_scribble(key); probe_scribble(source);

    /* Only the required fields: hostname, source type and time are the host's. */
    vigil_event minimal;
    memset(&minimal, 0, sizeof minimal);
    minimal.struct_size = sizeof minimal;
    minimal.title = "deployed";
    minimal.text = "";
    minimal.alert_type = VIGIL_ALERT_SUCCESS;
    PROBE_CHECK(p->api->submit_event(p->host, &minimal) == VIGIL_OK);

    /* Refused, and not submitted: no title, a struct_size too small, no event. */
    vigil_event bad = minimal;
    bad.title = NULL;
    PROBE_CHECK(p->api->submit_event(p->host, &bad) == VIGIL_ERROR_INVALID);
    bad = minimal;
    bad.struct_size = 16;
    PROBE_CHECK(p->api->submit_event(p->host, &bad) == VIGIL_ERROR_INVALID);
    PROBE_CHECK(p->api->submit_event(p->host, NULL) == VIGIL_ERROR_INVALID);
    return VIGIL_OK;
}

static void probe_callback(probe_sub *sub, const vigil_entity_event *events, size_t count, int initial) {
    (void)sub; (void)events; (void)count; (void)initial;
}
