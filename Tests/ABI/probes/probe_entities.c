/* get_entity and list_entities from C: merged entities arrive as borrowed
 * structs, absent ones answer NOT_FOUND without a call, bad arguments are
 * refused. The test publishes containers "web" and "db" and image
 * "sha256:abc" before the run. */
#include "probe.h"

typedef struct seen {
    int calls;
    char text[512];
    char *ids[16];
    size_t id_count;
} seen;

static void on_entity(void *user, const vigil_entity *e) {
    seen *s = user;
    s->calls++;
    if (e->struct_size < sizeof(vigil_entity)) {
        snprintf(s->text, sizeof s->text, "short entity struct %u", e->struct_size);
        return;
    }
    if (s->id_count < 16) s->ids[s->id_count++] = probe_dup(e->id);   /* Borrowed: copy what we keep. */
    if (e->kind == VIGIL_ENTITY_CONTAINER && e->container) {
        const vigil_container *c = e->container;
        char labels[128] = "";
        for (uint32_t i = 0; i < c->label_count; i++) {
            size_t used = strlen(labels);
            snprintf(labels + used, sizeof labels - used, "%s%s=%s", i ? "," : "", c->labels[2 * i], c->labels[2 * i + 1]);
        }
        snprintf(s->text, sizeof s->text, "container %s name=%s image=%s state=%u pid=%lld cgroup=%s labels=%s",
                 e->id, c->name, c->image_ref, c->state, (long long)c->pid, c->cgroup_path, labels);
    } else if (e->kind == VIGIL_ENTITY_IMAGE && e->image) {
        const vigil_image *i = e->image;
        snprintf(s->text, sizeof s->text, "image %s name=%s tags=%u first=%s", e->id, i->name, i->repo_tag_count,
                 i->repo_tag_count ? i->repo_tags[0] : "");
    } else {
        snprintf(s->text, sizeof s->text, "kind %u without its struct", e->kind);
    }
}

static void forget(seen *s) {
    for (size_t i = 0; i < s->id_count; i++) free(s->ids[i]);
    memset(s, 0, sizeof *s);
}

static vigil_status probe_step(probe *p, int step, char *err, size_t n) {
    (void)step;
    const vigil_host_api *api = p->api;
    seen s;
    memset(&s, 0, sizeof s);

    PROBE_CHECK(api->get_entity(p->host, VIGIL_ENTITY_CONTAINER, "web", on_entity, &s) == VIGIL_OK);
    PROBE_CHECK(s.calls == 1);
    probe_say(p, "get %s", s.text);
    forget(&s);

    PROBE_CHECK(api->get_entity(p->host, VIGIL_ENTITY_IMAGE, "sha256:abc", on_entity, &s) == VIGIL_OK);
    probe_say(p, "get %s", s.text);
    forget(&s);

    PROBE_CHECK(api->get_entity(p->host, VIGIL_ENTITY_CONTAINER, "absent", on_entity, &s) == VIGIL_ERROR_NOT_FOUND);
    /* "web" is a container, not an image: kinds are separate id spaces. */
    PROBE_CHECK(api->get_entity(p->host, VIGIL_ENTITY_IMAGE, "web", on_entity, &s) == VIGIL_ERROR_NOT_FOUND);
    PROBE_CHECK(s.calls == 0);

    PROBE_CHECK(api->list_entities(p->host, VIGIL_ENTITY_CONTAINER, on_entity, &s) == VIGIL_OK);
    qsort(s.ids, s.id_count, sizeof s.ids[0], probe_compare_strings);
    probe_say(p, "list containers: %d calls, %s %s", s.calls, s.id_count > 0 ? s.ids[0] : "-",
              s.id_count > 1 ? s.ids[1] : "-");
    forget(&s);

    PROBE_CHECK(api->list_entities(p->host, VIGIL_ENTITY_POD, on_entity, &s) == VIGIL_OK);
    probe_say(p, "list pods: %d calls", s.calls);

    PROBE_CHECK(api->get_entity(p->host, (vigil_entity_kind)99, "web", on_entity, &s) == VIGIL_ERROR_INVALID);
    PROBE_CHECK(api->list_entities(p->host, (vigil_entity_kind)99, on_entity, &s) == VIGIL_ERROR_INVALID);
    PROBE_CHECK(api->get_entity(p->host, VIGIL_ENTITY_CONTAINER, "web", NULL, NULL) == VIGIL_ERROR_INVALID);
    PROBE_CHECK(api->get_entity(p->host, VIGIL_ENTITY_CONTAINER, NULL, on_entity, &s) == VIGIL_ERROR_INVALID);
    PROBE_CHECK(api->list_entities(p->host, VIGIL_ENTITY_CONTAINER, NULL, NULL) == VIGIL_ERROR_INVALID);
    PROBE_CHECK(s.calls == 0);
    return VIGIL_OK;
}

static void probe_callback(probe_sub *sub, const vigil_entity_event *events, size_t count, int initial) {
    (void)sub; (void)events; (void)count; (void)initial;
}
