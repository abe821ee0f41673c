/*
 * The `network` check: per running container, the interface counters of its
 * network namespace (/proc/<pid>/net/dev), reported once per namespace and
 * not at all for containers on the host's network; plus the host's own
 * interfaces as system.net.*. Counters are submitted raw as
 * VIGIL_METRIC_RATE and the host computes the rates; their series epoch is
 * the namespace's inode (mixed with the reporting container's start time), so
 * a recreated namespace starts a fresh baseline. A namespace shared by
 * several containers is reported under the one with the smallest id, so its
 * series keep their tags from run to run whatever order the host lists them.
 */
#include "net_dev.h"
#include "vigil_kit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NET_PATH_MAX 256

/** A network namespace and the container it is reported under. */
typedef struct net_namespace {
    uint64_t inode;
    size_t container;          /**< Index in the container list: the smallest id sharing it. */
} net_namespace;

typedef struct network_check {
    const vigil_host_api *api;
    vigil_host *host;
    vigil_cardinality cardinality;
    char proc_root[NET_PATH_MAX];
    vk_container_list containers;
    vk_tags tags;
    vk_batch batch;
    net_namespace *namespaces; /**< Container namespaces to report this run. */
    size_t namespace_count, namespace_capacity;
    uint64_t host_ns[2];       /**< PID 1's and the agent's namespace inodes (0 if unreadable). */
    /* Per-namespace state while parsing one net/dev file. */
    uint64_t epoch;
    int is_host;
    char path[NET_PATH_MAX + 64];
    char text[65536];
} network_check;

static const char *const container_names[6] = {
    "container.net.sent", "container.net.rcvd", "container.net.sent.packets",
    "container.net.rcvd.packets", "container.net.errors", "container.net.drops",
};

static const char *const host_names[4] = {
    "system.net.bytes_sent", "system.net.bytes_rcvd", "system.net.packets_out.count", "system.net.packets_in.count",
};

static uint64_t namespace_inode(const char *proc_root, const char *pid) {
    char path[NET_PATH_MAX + 32];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s/ns/net", proc_root, pid);
    return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* Combines a namespace inode and a container start into one series epoch. */
static uint64_t mix_epoch(uint64_t inode, uint64_t started_at) {
    uint64_t x = inode * 0x9e3779b97f4a7c15ULL;
    return x ^ (started_at + 0x9e3779b97f4a7c15ULL + (x << 6) + (x >> 2));
}

/* Notes container `index` as a reporter of namespace `inode`; the smallest
 * container id wins, so shared namespaces keep one set of tags. */
static void remember_namespace(network_check *n, uint64_t inode, size_t index) {
    const vk_container *items = n->containers.items;
    for (size_t i = 0; i < n->namespace_count; i++) {
        if (n->namespaces[i].inode != inode) continue;
        if (strcmp(items[index].id, items[n->namespaces[i].container].id) < 0) n->namespaces[i].container = index;
        return;
    }
    if (n->namespace_count == n->namespace_capacity) {
        size_t capacity = n->namespace_capacity ? n->namespace_capacity * 2 : 64;
        net_namespace *grown = realloc(n->namespaces, capacity * sizeof *grown);
        if (!grown) return;   /* Out of memory: this namespace is skipped this run. */
        n->namespaces = grown;
        n->namespace_capacity = capacity;
    }
    n->namespaces[n->namespace_count++] = (net_namespace){.inode = inode, .container = index};
}

static void submit_interface(void *user, const net_counters *ifc) {
    network_check *n = user;
    size_t base = n->tags.count;
    if (n->is_host) {
        const uint64_t values[4] = {ifc->tx_bytes, ifc->rx_bytes, ifc->tx_packets, ifc->rx_packets};
        vk_tags_pushf(&n->tags, "device:%s", ifc->interface);
        vk_batch_start(&n->batch, vk_tags_pointers(&n->tags), n->tags.count);
        for (size_t k = 0; k < 4; k++) vk_batch_rate(&n->batch, host_names[k], values[k], n->epoch);
    } else {
        const uint64_t values[6] = {ifc->tx_bytes, ifc->rx_bytes, ifc->tx_packets, ifc->rx_packets,
                                    ifc->rx_errors + ifc->tx_errors, ifc->rx_drops + ifc->tx_drops};
        vk_tags_pushf(&n->tags, "interface:%s", ifc->interface);
        vk_batch_start(&n->batch, vk_tags_pointers(&n->tags), n->tags.count);
        for (size_t k = 0; k < 6; k++) vk_batch_rate(&n->batch, container_names[k], values[k], n->epoch);
    }
    vk_batch_submit(n->api, n->host, &n->batch);
    vk_tags_truncate(&n->tags, base);
}

static int read_net_dev(network_check *n, const char *pid) {
    snprintf(n->path, sizeof n->path, "%s/%s/net/dev", n->proc_root, pid);
    return vk_read_file(n->path, n->text, sizeof n->text) < 0 ? -1 : 0;
}

/* Finds the container's namespace; host-network containers are left to system.net. */
static void find_namespace(network_check *n, size_t index) {
    char pid[24];
    snprintf(pid, sizeof pid, "%lld", (long long)n->containers.items[index].pid);
    uint64_t inode = namespace_inode(n->proc_root, pid);
    if (inode == 0) return;   /* Exited since the listing. */
    if (inode == n->host_ns[0] || inode == n->host_ns[1]) return;   /* Host network: system.net covers it. */
    remember_namespace(n, inode, index);
}

static void collect_namespace(network_check *n, const net_namespace *ns) {
    const vk_container *container = &n->containers.items[ns->container];
    char pid[24];
    snprintf(pid, sizeof pid, "%lld", (long long)container->pid);
    if (read_net_dev(n, pid) != 0) return;
    vk_tags_for_container(n->api, n->host, &n->tags, container->id, n->cardinality);
    n->epoch = mix_epoch(ns->inode, (uint64_t)container->started_at);
    n->is_host = 0;
    net_dev_parse(n->text, submit_interface, n);
}

static void collect_host(network_check *n) {
    /* PID 1's namespace is the host's when we see the host's /proc; an agent
     * not allowed to look at PID 1 reads its own. */
    int own = n->host_ns[0] == 0 || read_net_dev(n, "1") != 0;
    if (own && read_net_dev(n, "self") != 0) {
        vk_logf(n->api, n->host, VIGIL_LOG_WARN, "cannot read %s", n->path);
        return;
    }
    vk_tags_clear(&n->tags);
    n->epoch = own ? n->host_ns[1] : n->host_ns[0];
    n->is_host = 1;
    net_dev_parse(n->text, submit_interface, n);
}

static vigil_status network_run(void *instance, char *errbuf, size_t errbuf_size) {
    network_check *n = instance;
    vigil_status status = vk_list_running(n->api, n->host, &n->containers);
    if (status != VIGIL_OK) {
        snprintf(errbuf, errbuf_size, "cannot list containers (status %d)", (int)status);
        return status;
    }
    n->host_ns[0] = namespace_inode(n->proc_root, "1");
    n->host_ns[1] = namespace_inode(n->proc_root, "self");
    n->namespace_count = 0;
    for (size_t i = 0; i < n->containers.count; i++) find_namespace(n, i);
    for (size_t i = 0; i < n->namespace_count; i++) collect_namespace(n, &n->namespaces[i]);
    collect_host(n);
    return VIGIL_OK;
}

static void network_destroy(void *instance) {
    network_check *n = instance;
    if (!n) return;
    vk_container_list_free(&n->containers);
    vk_tags_free(&n->tags);
    free(n->namespaces);
    free(n);
}

static vigil_status network_configure(const vigil_host_api *api, vigil_host *host, const vigil_instance_config *config,
                                      void **instance_out, char *errbuf, size_t errbuf_size) {
    (void)config;
    /* Rates come from the host and need it to honour series epochs (1.1). */
    vigil_status abi = vk_require_host_abi(api, 1, "series epochs", errbuf, errbuf_size);
    if (abi != VIGIL_OK) return abi;
    network_check *n = calloc(1, sizeof *n);
    if (!n) {
        snprintf(errbuf, errbuf_size, "out of memory");
        return VIGIL_ERROR;
    }
    n->api = api;
    n->host = host;
    char option[64];
    vk_instance_option(api, host, "tag_cardinality", "high", option, sizeof option);
    if (vk_parse_cardinality(option, &n->cardinality) != 0) {
        snprintf(errbuf, errbuf_size, "tag_cardinality must be low, orchestrator or high, not \"%s\"", option);
        free(n);
        return VIGIL_ERROR_CONFIG;
    }
    vk_instance_option(api, host, "proc_root", "/proc", n->proc_root, sizeof n->proc_root);
    struct stat st;
    snprintf(n->path, sizeof n->path, "%s/self/net/dev", n->proc_root);
    if (stat(n->path, &st) != 0) {
        snprintf(errbuf, errbuf_size, "proc_root %s has no self/net/dev", n->proc_root);
        free(n);
        return VIGIL_ERROR_CONFIG;
    }
    *instance_out = n;
    return VIGIL_OK;
}

static const vigil_module network_module = {
    .struct_size = sizeof(vigil_module),
    .abi_major = VIGIL_ABI_MAJOR,
    .abi_minor = VIGIL_ABI_MINOR,
    .name = "network",
    .version = "1.1.0",
    .description = "Per-container and host network interface rates from /proc/<pid>/net/dev",
    .kinds = VIGIL_MODULE_KIND_CHECK,
    .configure = network_configure,
    .run = network_run,
    .destroy = network_destroy,
};

VIGIL_MODULE_ENTRY {
    if (host_abi_major != VIGIL_ABI_MAJOR) return NULL;
    (void)host_abi_minor;
    return &network_module;
}
