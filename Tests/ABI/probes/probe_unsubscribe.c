/* unsubscribe from C, from inside a callback and from outside while a
 * callback runs. Step 0 subscribes two watchers of containers:
 *   "inner"  unsubscribes itself from its callback when it sees "stop";
 *   "slow"   lingers 300 ms in its callback when it sees "slow".
 * Step 1 waits until "slow" is inside that callback, unsubscribes it, and
 * reports whether the callback was still running when unsubscribe returned.
 * Step 2 reports what each watcher received. Step 3 subscribes "left" and
 * never unsubscribes: destroying the instance must end it. */
#include "probe.h"

static void probe_callback(probe_sub *sub, const vigil_entity_event *events, size_t count, int initial) {
    (void)initial;
    probe *p = sub->p;
    for (size_t i = 0; i < count; i++) {
        const char *id = events[i].entity->id;
        if (sub == &p->subs[0] && strcmp(id, "stop") == 0) {
            vigil_status status = p->api->unsubscribe(p->host, atomic_load(&sub->id));
            probe_say(p, "inner unsubscribed itself: %d", (int)status);
        }
        if (sub == &p->subs[1] && strcmp(id, "slow") == 0) {
            probe_sleep_ms(300);
            atomic_fetch_add(&p->finished, 1);
        }
    }
}

static vigil_status probe_step(probe *p, int step, char *err, size_t n) {
    const uint32_t containers = VIGIL_ENTITY_KIND_BIT(VIGIL_ENTITY_CONTAINER);
    switch (step) {
    case 0:
        PROBE_CHECK(probe_subscribe(p, 0, "inner", containers, 0, NULL) == VIGIL_OK);
        PROBE_CHECK(probe_subscribe(p, 1, "slow", containers, 0, NULL) == VIGIL_OK);
        PROBE_CHECK(p->api->unsubscribe(p->host, 0) == VIGIL_ERROR_NOT_FOUND);
        PROBE_CHECK(p->api->unsubscribe(p->host, 987654321) == VIGIL_ERROR_NOT_FOUND);
        return VIGIL_OK;
    case 1: {
        for (int waited = 0; atomic_load(&p->subs[1].inside) == 0; waited += 5) {
            PROBE_CHECK(waited < 5000);   /* The test published "slow": its callback must start. */
            probe_sleep_ms(5);
        }
        vigil_status status = p->api->unsubscribe(p->host, atomic_load(&p->subs[1].id));
        int inside = atomic_load(&p->subs[1].inside), finished = atomic_load(&p->finished);
        probe_say(p, "slow unsubscribed: %d inside=%d finished=%d", (int)status, inside, finished);
        PROBE_CHECK(p->api->unsubscribe(p->host, atomic_load(&p->subs[1].id)) == VIGIL_ERROR_NOT_FOUND);
        PROBE_CHECK(p->api->unsubscribe(p->host, atomic_load(&p->subs[0].id)) == VIGIL_ERROR_NOT_FOUND);
        return VIGIL_OK;
    }
    case 2:
        probe_say(p, "received: inner=%d slow=%d overlaps=%d", atomic_load(&p->subs[0].events),
                  atomic_load(&p->subs[1].events),
                  atomic_load(&p->subs[0].overlaps) + atomic_load(&p->subs[1].overlaps));
        return VIGIL_OK;
    default:
        PROBE_CHECK(probe_subscribe(p, 2, "left", containers, 0, NULL) == VIGIL_OK);
        return VIGIL_OK;
    }
}
