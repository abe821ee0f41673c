/* Callbacks of one subscription are never concurrent and keep each
 * publisher's order. After step 0 subscribes "burst" to containers, the test
 * publishes "t<k>-<i>" from several threads at once, each k in increasing i.
 * The publishers pace themselves and the callback lingers, so batches arrive
 * while a callback runs: a host that delivered them concurrently would show
 * overlaps (or disorder). Steps >= 1 report. */
#include "probe.h"

static int last_seen[16];

static void probe_callback(probe_sub *sub, const vigil_entity_event *events, size_t count, int initial) {
    (void)initial;
    probe *p = sub->p;
    for (size_t i = 0; i < count; i++) {
        int k = -1, index = -1;
        if (sscanf(events[i].entity->id, "t%d-%d", &k, &index) != 2 || k < 0 || k >= 16) {
            atomic_fetch_add(&p->failures, 1);
            continue;
        }
        if (index != last_seen[k] + 1) atomic_fetch_add(&p->failures, 1);   /* Lost, repeated or out of order. */
        last_seen[k] = index;
    }
    usleep(3000);   /* 3 ms: later batches queue up meanwhile. */
}

static vigil_status probe_step(probe *p, int step, char *err, size_t n) {
    if (step == 0) {
        for (int k = 0; k < 16; k++) last_seen[k] = -1;
        PROBE_CHECK(probe_subscribe(p, 0, "burst", VIGIL_ENTITY_KIND_BIT(VIGIL_ENTITY_CONTAINER),
                                    VIGIL_ENTITY_EVENT_BIT(VIGIL_ENTITY_EVENT_SET), NULL) == VIGIL_OK);
        return VIGIL_OK;
    }
    probe_say(p, "burst events=%d overlaps=%d disorder=%d on_configure_thread=%d", atomic_load(&p->subs[0].events),
              atomic_load(&p->subs[0].overlaps), atomic_load(&p->failures),
              atomic_load(&p->subs[0].on_configure_thread));
    return VIGIL_OK;
}
