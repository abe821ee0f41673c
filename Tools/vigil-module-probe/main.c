/*
 * vigil-module-probe — runs one check module in a minimal host, for tests and
 * benchmarks that must see the module's own cost: it counts every allocation
 * the process makes while the module runs (its malloc family interposes on the
 * module's), the open descriptors, and the CPU time of the runs.
 *
 *   vigil-module-probe MODULE.so RUNS [ID:PID:CGROUP_PATH ...]
 *   vigil-module-probe MODULE.so RUNS --synthetic N PID PATH_PREFIX
 *
 * Instance options come from the environment (VIGIL_OPTION_<key>, e.g.
 * VIGIL_OPTION_cgroup_root). After three warm-up runs it measures RUNS runs
 * and prints one line:
 *   allocations=A fds_before=B fds_after=C fds_after_destroy=D fds_at_start=E
 *   submitted=S cpu_us=T containers=N
 * (B = C: no descriptor leaks across runs; D = E: destroy closes what the
 * module kept open.)
 */
#include "vigil_module.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static int counting;
static long allocations, submitted;

void *malloc(size_t n) { if (counting) allocations++; return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { if (counting) allocations++; return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { if (counting) allocations++; return __libc_realloc(p, n); }
void free(void *p) { __libc_free(p); }

typedef struct probe_container { char *id; char *path; long pid; } probe_container;
static probe_container *containers;
static int container_count;

static vigil_status submit(vigil_host *h, const vigil_metric *m, size_t n) {
    (void)h; (void)m;
    submitted += (long)n;
    return VIGIL_OK;
}

static void log_line(vigil_host *h, vigil_log_level level, const char *s) {
    (void)h;
    if (level >= VIGIL_LOG_WARN) fprintf(stderr, "module: %s\n", s);
}

static size_t option(vigil_host *h, vigil_config_scope scope, const char *key, char *buf, size_t n) {
    (void)h; (void)scope;
    char name[128];
    snprintf(name, sizeof name, "VIGIL_OPTION_%s", key);
    const char *v = getenv(name);
    if (!v) { if (n) buf[0] = 0; return (size_t)-1; }
    snprintf(buf, n, "%s", v);
    return strlen(v);
}

static vigil_status tags(vigil_host *h, const char *id, vigil_cardinality c, vigil_tags_fn fn, void *u) {
    (void)h; (void)c;
    const char *list[2] = {id, "short_image:probe"};
    fn(u, list, 2);
    return VIGIL_OK;
}

static vigil_status list(vigil_host *h, vigil_entity_kind kind, vigil_entity_fn fn, void *u) {
    (void)h; (void)kind;
    for (int i = 0; i < container_count; i++) {
        vigil_container c;
        memset(&c, 0, sizeof c);
        c.struct_size = sizeof c;
        c.state = VIGIL_CONTAINER_RUNNING;
        c.name = c.namespace_name = c.runtime = c.image_ref = c.image_id = "";
        c.cgroup_path = containers[i].path;
        c.pid = containers[i].pid;
        c.started_at = 1;
        vigil_entity e;
        memset(&e, 0, sizeof e);
        e.struct_size = sizeof e;
        e.kind = VIGIL_ENTITY_CONTAINER;
        e.id = containers[i].id;
        e.container = &c;
        fn(u, &e);
    }
    return VIGIL_OK;
}

static int open_fds(void) {
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static int parse_containers(int argc, char **argv) {
    if (argc >= 7 && strcmp(argv[3], "--synthetic") == 0) {
        container_count = atoi(argv[4]);
        containers = calloc((size_t)container_count, sizeof *containers);
        for (int i = 0; i < container_count; i++) {
            char text[512];
            snprintf(text, sizeof text, "c%d", i);
            containers[i].id = strdup(text);
            snprintf(text, sizeof text, "%s%d", argv[6], i);
            containers[i].path = strdup(text);
            containers[i].pid = atol(argv[5]);
        }
        return 0;
    }
    container_count = argc - 3;
    containers = calloc((size_t)(container_count > 0 ? container_count : 1), sizeof *containers);
    for (int i = 0; i < container_count; i++) {
        char *spec = argv[3 + i];
        char *first = strchr(spec, ':');
        char *second = first ? strchr(first + 1, ':') : NULL;
        if (!second) { fprintf(stderr, "bad container %s (want ID:PID:PATH)\n", spec); return -1; }
        *first = *second = '\0';
        containers[i].id = spec;
        containers[i].pid = atol(first + 1);
        containers[i].path = second + 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODULE.so RUNS [ID:PID:PATH ...|--synthetic N PID PREFIX]\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    vigil_module_entry_fn entry = (vigil_module_entry_fn)dlsym(lib, VIGIL_MODULE_ENTRY_SYMBOL);
    const vigil_module *m = entry ? entry(VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR) : NULL;
    if (!m) { fprintf(stderr, "%s: no usable module\n", argv[1]); return 1; }
    int runs = atoi(argv[2]);
    if (parse_containers(argc, argv) != 0) return 2;

    vigil_host_api api;
    memset(&api, 0, sizeof api);
    api.struct_size = sizeof api;
    api.abi_major = VIGIL_ABI_MAJOR;
    api.abi_minor = VIGIL_ABI_MINOR;
    api.submit_metrics = submit;
    api.log = log_line;
    api.config_value = option;
    api.entity_tags = tags;
    api.list_entities = list;
    void *instance = NULL;
    char err[512];
    int at_start = open_fds();
    if (m->configure(&api, (vigil_host *)&api, NULL, &instance, err, sizeof err) != VIGIL_OK) {
        fprintf(stderr, "configure: %s\n", err);
        return 1;
    }
    for (int i = 0; i < 3; i++) m->run(instance, err, sizeof err);   /* Buffers and tables reach their size. */
    int before = open_fds();
    submitted = 0;
    double start = cpu_seconds();
    counting = 1;
    for (int i = 0; i < runs; i++) {
        if (m->run(instance, err, sizeof err) != VIGIL_OK) { counting = 0; fprintf(stderr, "run: %s\n", err); return 1; }
    }
    counting = 0;
    double cpu = cpu_seconds() - start;
    int after = open_fds();
    m->destroy(instance);
    printf("allocations=%ld fds_before=%d fds_after=%d fds_after_destroy=%d fds_at_start=%d submitted=%ld cpu_us=%.1f containers=%d\n",
           allocations, before, after, open_fds(), at_start, submitted, cpu * 1e6, container_count);
    return 0;
}
