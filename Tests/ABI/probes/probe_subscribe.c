/* subscribe from C. Before step 0 the test publishes containers "a" and "b"
 * and image "sha256:i1" (source "test"). Step 0 subscribes twice, with a
 * name and a source that are destroyed as soon as subscribe returns:
 *   "watch"   containers only, both event types, any source;
 *   "unsets"  UNSET events only, of the source "other".
 * Every event is reported as "<name> change <SET|UNSET> <kind> <id>"; an
 * initial bundle as one line, "<name> initial [...]", its events sorted.
 * Inside each callback the probe calls list_entities and get_entity: the host
 * holds none of its locks while calling, so this must not deadlock. Step 1
 * reports the bookkeeping. */
#include "probe.h"

static void count_entity(void *user, const vigil_entity *e) { (void)e; ++*(int *)user; }

static void probe_callback(probe_sub *sub, const vigil_entity_event *events, size_t count, int initial) {
    probe *p = sub->p;
    int listed = 0;
    if (p->api->list_entities(p->host, VIGIL_ENTITY_CONTAINER, count_entity, &listed) != VIGIL_OK)
        atomic_fetch_add(&p->failures, 1);
    for (size_t i = 0; i < count; i++) {
        if (events[i].struct_size < sizeof(vigil_entity_event) || !events[i].entity) atomic_fetch_add(&p->failures, 1);
        int got = 0;
        vigil_status s = p->api->get_entity(p->host, (vigil_entity_kind)events[i].entity->kind, events[i].entity->id,
                                            count_entity, &got);
        if (s != VIGIL_OK && s != VIGIL_ERROR_NOT_FOUND) atomic_fetch_add(&p->failures, 1);
    }
    if (initial) {
        char *lines[32];
        size_t k = 0;
        for (size_t i = 0; i < count && k < 32; i++) {
            lines[k] = malloc(256);
            probe_describe(&events[i], lines[k++], 256);
        }
        qsort(lines, k, sizeof lines[0], probe_compare_strings);
        char joined[1024] = "";
        for (size_t i = 0; i < k; i++) {
            size_t used = strlen(joined);
            snprintf(joined + used, sizeof joined - used, "%s%s", i ? ", " : "", lines[i]);
            free(lines[i]);
        }
        probe_say(p, "%s initial [%s]", sub->label, joined);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        char line[256];
        probe_describe(&events[i], line, sizeof line);
        probe_say(p, "%s change %s", sub->label, line);
    }
}

static vigil_status probe_step(probe *p, int step, char *err, size_t n) {
    if (step == 0) {
        PROBE_CHECK(probe_subscribe(p, 0, "watch", VIGIL_ENTITY_KIND_BIT(VIGIL_ENTITY_CONTAINER), 0, NULL) == VIGIL_OK);
        PROBE_CHECK(probe_subscribe(p, 1, "unsets", 0, VIGIL_ENTITY_EVENT_BIT(VIGIL_ENTITY_EVENT_UNSET), "other") == VIGIL_OK);
        PROBE_CHECK(p->subs[0].id != 0 && p->subs[1].id != 0 && p->subs[0].id != p->subs[1].id);

        /* Refused: no callback, no name, a struct_size too small, no id out. */
        vigil_subscription bad;
        memset(&bad, 0, sizeof bad);
        bad.struct_size = sizeof bad;
        bad.name = "bad";
        uint64_t id = 0;
        PROBE_CHECK(p->api->subscribe(p->host, &bad, &id) == VIGIL_ERROR_INVALID);
        bad.callback = probe_events;
        bad.user_data = &p->subs[3];
        bad.name = NULL;
        PROBE_CHECK(p->api->subscribe(p->host, &bad, &id) == VIGIL_ERROR_INVALID);
        bad.name = "bad";
        bad.struct_size = 16;
        PROBE_CHECK(p->api->subscribe(p->host, &bad, &id) == VIGIL_ERROR_INVALID);
        bad.struct_size = sizeof bad;
        PROBE_CHECK(p->api->subscribe(p->host, &bad, NULL) == VIGIL_ERROR_INVALID);
        PROBE_CHECK(id == 0);
        return VIGIL_OK;
    }
    probe_say(p, "bookkeeping: overlaps=%d on_configure_thread=%d failures=%d",
              atomic_load(&p->subs[0].overlaps) + atomic_load(&p->subs[1].overlaps),
              atomic_load(&p->subs[0].on_configure_thread) + atomic_load(&p->subs[1].on_configure_thread),
              atomic_load(&p->failures));
    return VIGIL_OK;
}
