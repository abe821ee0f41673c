/* set_ready from a thread the module starts itself: the collector's start()
 * returns at once; its thread publishes a container (strings destroyed right
 * after the call) and only then calls set_ready, twice. stop() joins it. */
#define PROBE_HAS_START
#include "probe.h"

static void *work(void *arg) {
    probe *p = arg;
    probe_sleep_ms(150);
    char *id = probe_dup("synced-1"), *name = probe_dup("synced"), *image = probe_dup("docker.io/library/redis:7");
    char *key = probe_dup("team"), *value = probe_dup("db");
    const char *labels[] = {key, value};
    vigil_container c;
    memset(&c, 0, sizeof c);
    c.struct_size = sizeof c;
    c.state = VIGIL_CONTAINER_RUNNING;
    c.name = name;
    c.namespace_name = "";
    c.runtime = "containerd";
    c.image_ref = image;
    c.image_id = "";
    c.labels = labels;
    c.label_count = 1;
    c.cgroup_path = "";
    c.pid = 4242;
    vigil_entity e;
    memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    e.kind = VIGIL_ENTITY_CONTAINER;
    e.id = id;
    e.container = &c;
    if (p->api->publish_entity(p->host, "probe", &e) != VIGIL_OK) atomic_fetch_add(&p->failures, 1);
    probe_scribble(id); probe_scribble(name); probe_scribble(image); probe_scribble(key); probe_scribble(value);
    p->api->set_ready(p->host);
    p->api->set_ready(p->host);   /* Again: does nothing. */
    return NULL;
}

static vigil_status probe_start(probe *p, char *err, size_t n) {
    if (pthread_create(&p->worker, NULL, work, p) != 0) {
        snprintf(err, n, "pthread_create failed");
        return VIGIL_ERROR;
    }
    p->worker_started = 1;
    return VIGIL_OK;
}

static void probe_stop(probe *p) {
    if (p->worker_started) pthread_join(p->worker, NULL);
    p->worker_started = 0;
}

static vigil_status probe_step(probe *p, int step, char *err, size_t n) {
    (void)step;
    PROBE_CHECK(atomic_load(&p->failures) == 0);
    return VIGIL_OK;
}

static void probe_callback(probe_sub *sub, const vigil_entity_event *events, size_t count, int initial) {
    (void)sub; (void)events; (void)count; (void)initial;
}
