/*
 * probe.h — the shared part of the C test modules in this folder. Each
 * probe_*.c is a real module, compiled with plain `cc -shared -fPIC` against
 * CHeaders/include by Tests/VigilTests/Modules/HostFunctionsFromCTests.swift,
 * loaded by the agent's loader and driven through the real host table and
 * workload store. A probe reports what it saw as events (submit_event), which
 * the test reads back in order; a broken expectation inside C fails the run
 * with a message naming the line.
 *
 * A probe defines:
 *   static vigil_status probe_step(probe *p, int step, char *err, size_t n);
 *       called by run(); `step` counts runs from 0.
 *   static void probe_callback(probe_sub *sub, const vigil_entity_event *events,
 *                              size_t count, int initial);
 *       the callback of the subscriptions made with probe_subscribe.
 * and may set PROBE_HAS_START to provide probe_start / probe_stop.
 */
#ifndef PROBE_H
#define PROBE_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vigil_module.h"

/* Not every probe uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

struct probe;

/** One subscription: the user_data of its callback. */
typedef struct probe_sub {
    struct probe *p;
    char label[32];                  /**< The probe's own copy of the subscription's name. */
    _Atomic uint64_t id;             /**< Written once subscribe() returns. */
    atomic_int inside;               /**< Its callbacks running now. */
    atomic_int overlaps;             /**< Times a callback found another one of it running. */
    atomic_int calls;                /**< Callback invocations. */
    atomic_int events;               /**< Events received, initial bundle included. */
    atomic_int on_configure_thread;  /**< Calls delivered on the thread that configured the probe. */
} probe_sub;

typedef struct probe {
    const vigil_host_api *api;
    vigil_host *host;
    int step;
    probe_sub subs[4];
    atomic_int finished;             /**< Slow callbacks that ran to their end. */
    atomic_int failures;             /**< Host calls from inside callbacks that failed. */
    pthread_t configure_thread;      /**< The thread that configured (and runs) the probe. */
    pthread_t worker;
    int worker_started;
} probe;

static void probe_say(probe *p, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void probe_say(probe *p, const char *format, ...) {
    char title[1024];
    va_list ap;
    va_start(ap, format);
    vsnprintf(title, sizeof title, format, ap);
    va_end(ap);
    vigil_event e;
    memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    e.title = title;
    e.text = "";
    if (p->api->submit_event(p->host, &e) != VIGIL_OK) atomic_fetch_add(&p->failures, 1);
}

/** Fails the run with the line and the condition when `cond` is false. */
#define PROBE_CHECK(cond)                                                               \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            snprintf(err, n, "%s:%d: %s", __FILE__, __LINE__, #cond);                   \
            return VIGIL_ERROR;                                                         \
        }                                                                               \
    } while (0)

static void probe_sleep_ms(int ms) {
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/** A heap copy of `text`, for strings handed to the host and then destroyed. */
static char *probe_dup(const char *text) {
    size_t len = strlen(text) + 1;
    char *copy = malloc(len);
    memcpy(copy, text, len);
    return copy;
}

/** Overwrites and frees a string the host was given: it must have copied it. */
static void probe_scribble(char *text) {
    memset(text, 'X', strlen(text));
    free(text);
}

/** "SET container web" / "UNSET image sha256:..." */
static void probe_describe(const vigil_entity_event *e, char *buf, size_t n) {
    static const char *const kinds[] = {"container", "image", "pod", "autoscaler"};
    const char *type = e->type == VIGIL_ENTITY_EVENT_SET ? "SET" : e->type == VIGIL_ENTITY_EVENT_UNSET ? "UNSET" : "?";
    const char *kind = e->entity->kind < 4 ? kinds[e->entity->kind] : "?";
    snprintf(buf, n, "%s %s %s", type, kind, e->entity->id);
}

static int probe_compare_strings(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static vigil_status probe_step(probe *p, int step, char *err, size_t n);
static void probe_callback(probe_sub *sub, const vigil_entity_event *events, size_t count, int initial);

/** The vigil_entity_events_fn handed to subscribe: counts, checks the
 *  one-at-a-time rule, then calls the probe's own callback. */
static void probe_events(void *user, const vigil_entity_event *events, size_t count, int initial) {
    probe_sub *sub = user;
    if (atomic_fetch_add(&sub->inside, 1) != 0) atomic_fetch_add(&sub->overlaps, 1);
    if (pthread_equal(pthread_self(), sub->p->configure_thread)) atomic_fetch_add(&sub->on_configure_thread, 1);
    atomic_fetch_add(&sub->calls, 1);
    atomic_fetch_add(&sub->events, (int)count);
    probe_callback(sub, events, count, initial);
    atomic_fetch_sub(&sub->inside, 1);
}

/** Subscribes p->subs[slot] with a name and source in heap strings that are
 *  overwritten and freed as soon as subscribe returns. */
static vigil_status probe_subscribe(probe *p, int slot, const char *name, uint32_t kind_mask, uint32_t event_mask,
                                    const char *source) {
    probe_sub *sub = &p->subs[slot];
    sub->p = p;
    snprintf(sub->label, sizeof sub->label, "%s", name);
    char *heap_name = probe_dup(name);
    char *heap_source = source ? probe_dup(source) : NULL;
    vigil_subscription s;
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    s.kind_mask = kind_mask;
    s.event_mask = event_mask;
    s.source = heap_source;
    s.name = heap_name;
    s.callback = probe_events;
    s.user_data = sub;
    uint64_t id = 0;
    vigil_status status = p->api->subscribe(p->host, &s, &id);
    atomic_store(&sub->id, id);
    probe_scribble(heap_name);
    if (heap_source) probe_scribble(heap_source);
    return status;
}

#ifdef PROBE_HAS_START
static vigil_status probe_start(probe *p, char *err, size_t n);
static void probe_stop(probe *p);
static vigil_status probe_start_fn(void *instance, char *err, size_t n) { return probe_start(instance, err, n); }
static void probe_stop_fn(void *instance) { probe_stop(instance); }
#define PROBE_START probe_start_fn
#define PROBE_STOP probe_stop_fn
#define PROBE_KINDS (VIGIL_MODULE_KIND_CHECK | VIGIL_MODULE_KIND_COLLECTOR | VIGIL_MODULE_KIND_SUBSCRIBER)
#else
#define PROBE_START NULL
#define PROBE_STOP NULL
#define PROBE_KINDS (VIGIL_MODULE_KIND_CHECK | VIGIL_MODULE_KIND_SUBSCRIBER)
#endif

static vigil_status probe_configure(const vigil_host_api *api, vigil_host *host, const vigil_instance_config *config,
                                    void **out, char *err, size_t n) {
    (void)config;
    probe *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, n, "out of memory");
        return VIGIL_ERROR;
    }
    p->api = api;
    p->host = host;
    p->configure_thread = pthread_self();
    *out = p;
    return VIGIL_OK;
}

static vigil_status probe_run(void *instance, char *err, size_t n) {
    probe *p = instance;
    return probe_step(p, p->step++, err, n);
}

static void probe_destroy(void *instance) { free(instance); }

static const vigil_module probe_module = {
    .struct_size = sizeof(vigil_module),
    .abi_major = VIGIL_ABI_MAJOR,
    .abi_minor = VIGIL_ABI_MINOR,
    .name = "hostprobe",
    .version = "1.0",
    .description = "Exercises the host table from C in tests",
    .kinds = PROBE_KINDS,
    .configure = probe_configure,
    .run = probe_run,
    .start = PROBE_START,
    .stop = PROBE_STOP,
    .destroy = probe_destroy,
};

VIGIL_MODULE_ENTRY {
    (void)host_abi_major;
    (void)host_abi_minor;
    return &probe_module;
}

#endif /* PROBE_H */
