/*
 * vigil_module.h — the stable C ABI between the Vigil agent and its modules.
 *
 * This is the only header a module needs. A module is a shared library that
 * exports exactly one symbol, VIGIL_MODULE_ENTRY_SYMBOL ("vigil_module_entry"),
 * returning a static vigil_module descriptor. Everything else crosses through
 * tables of function pointers, so a module has no undefined vigil_* symbols and
 * loads with RTLD_LOCAL into any host that speaks the same ABI major version.
 *
 * Rules that hold for every call in this file:
 *
 *  Versioning   VIGIL_ABI_MAJOR changes only when something is removed or
 *               changes meaning; the host refuses a module of another major.
 *               VIGIL_ABI_MINOR grows when fields or functions are appended.
 *               Every struct that crosses the boundary starts with
 *               `uint32_t struct_size`; fields are only ever appended, and a
 *               reader uses a field only when struct_size covers it. Always
 *               set struct_size = sizeof(the struct) as compiled. Every field
 *               and host function appended after 1.0 is marked "since 1.N"
 *               with the minor it arrived in; check for it with
 *               VIGIL_HOST_HAS (functions) or VIGIL_STRUCT_HAS (fields).
 *
 *  Names        Old names kept for source compatibility are marked
 *               "deprecated" and listed at the end of this file with the
 *               name to use instead; they keep their values forever.
 *
 *  Strings      UTF-8, NUL-terminated. Strings passed into a call are borrowed
 *               for the duration of that call: the callee copies what it keeps.
 *               Strings the host hands to a module callback are borrowed until
 *               the callback returns.
 *
 *  Ownership    What a module allocates, the module frees. The host never
 *               frees module memory and the module never frees host memory.
 *
 *  Threading    The host never calls into one module instance concurrently:
 *               configure, run, start, stop and destroy of an instance are
 *               serialised. Every vigil_host_api function is thread-safe and
 *               may be called from any thread, including threads the module
 *               starts itself. Subscription callbacks for one subscription are
 *               delivered one at a time, in order, from a host thread, and the
 *               host holds none of its locks while calling them.
 *
 *  Errors       Functions return vigil_status. Where an `errbuf` is offered,
 *               the callee writes a human-readable, NUL-terminated message of
 *               at most errbuf_size bytes on failure. A module never exits,
 *               aborts or raises signals in the agent's process.
 */
#ifndef VIGIL_MODULE_H
#define VIGIL_MODULE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versions and the entry point                                              */
/* ------------------------------------------------------------------------ */

/** Incompatible revisions of this ABI. The host refuses another major. */
#define VIGIL_ABI_MAJOR 1
/** Compatible additions (appended fields or functions) within a major.
 *  1.0: the first release.
 *  1.1: vigil_metric.series_epoch.
 *  1.2: vigil_container.hostname, ip_addresses, ports.
 *  1.3: gates: vigil_host_api.gate_set, gate_state.
 *  1.4: vigil_image.sbom_* (an image's bill of materials). */
#define VIGIL_ABI_MINOR 5

/** The single symbol every module exports. */
#define VIGIL_MODULE_ENTRY_SYMBOL "vigil_module_entry"

#if defined(__GNUC__) || defined(__clang__)
#define VIGIL_EXPORT __attribute__((visibility("default")))
#else
#define VIGIL_EXPORT
#endif

/* Marks an old name; define VIGIL_NO_DEPRECATION_WARNINGS to silence it. */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(VIGIL_NO_DEPRECATION_WARNINGS)
#define VIGIL_DEPRECATED(message) __attribute__((deprecated(message)))
#else
#define VIGIL_DEPRECATED(message)
#endif

/** True when a size-prefixed struct is recent enough to contain `field`:
 *  VIGIL_STRUCT_HAS(metric, vigil_metric, series_epoch). */
#define VIGIL_STRUCT_HAS(ptr, type, field) \
    ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/** Result of every call that can fail. */
typedef enum vigil_status {
    VIGIL_OK = 0,                /**< Success. */
    VIGIL_ERROR = 1,             /**< Generic failure; see errbuf. */
    VIGIL_ERROR_CONFIG = 2,      /**< The configuration is invalid. */
    VIGIL_ERROR_UNSUPPORTED = 3, /**< The caller asked for something this side does not offer. */
    VIGIL_ERROR_NOT_FOUND = 4,   /**< The named entity, key or subscription does not exist. */
    VIGIL_ERROR_INVALID = 5,     /**< An argument is malformed (NULL name, bad struct_size, ...). */
    VIGIL_ERROR_BUSY = 6         /**< A bounded queue is full; the item was dropped and counted. */
} vigil_status;

/** Severity for vigil_host_api.log. */
typedef enum vigil_log_level {
    VIGIL_LOG_TRACE = 0,
    VIGIL_LOG_DEBUG = 1,
    VIGIL_LOG_INFO = 2,
    VIGIL_LOG_WARN = 3,
    VIGIL_LOG_ERROR = 4
} vigil_log_level;

/* ------------------------------------------------------------------------ */
/* Metrics, service checks, events                                           */
/* ------------------------------------------------------------------------ */

/** How the host turns submitted values into series at flush. */
typedef enum vigil_metric_type {
    VIGIL_METRIC_GAUGE = 0,           /**< Last value submitted in the run. */
    VIGIL_METRIC_RATE = 1,            /**< Per-second difference of two consecutive runs
                                           of one series epoch; a decrease skips the interval. */
    VIGIL_METRIC_COUNT = 2,           /**< Sum of the values submitted in the run. */
    VIGIL_METRIC_MONOTONIC_COUNT = 3, /**< Delta of a cumulative counter within one series
                                           epoch, resets (decreases) detected. */
    VIGIL_METRIC_HISTOGRAM = 4        /**< avg, max, median, 95percentile and count of the values. */
} vigil_metric_type;

/** vigil_metric.flags: also report the first value of a monotonic count
 *  (normally the first run only establishes the baseline). */
#define VIGIL_METRIC_FLUSH_FIRST_VALUE 0x1u

/**
 * One metric sample. Arrays of samples are passed with a stride of
 * metrics[0].struct_size: every element of one array has the same size.
 * A 1.0 module's samples are 48 bytes and end at `hostname`; the host reads
 * them as if series_epoch were 0.
 */
typedef struct vigil_metric {
    uint32_t struct_size;     /**< sizeof(vigil_metric). */
    uint32_t type;            /**< A vigil_metric_type. */
    const char *name;         /**< Metric name, e.g. "container.cpu.usage". Required. */
    double value;             /**< The sample. NaN and infinities are dropped and counted. */
    const char *const *tags;  /**< tag_count tags, each "key:value" or "value"; may be NULL. */
    uint32_t tag_count;       /**< Number of entries in tags. */
    uint32_t flags;           /**< VIGIL_METRIC_* flags; 0 by default. */
    const char *hostname;     /**< NULL: the agent's hostname. "": no host. Otherwise that host. */

    /* ---- since 1.1 ---- */

    /** What makes a RATE or MONOTONIC_COUNT series continuous, e.g. the
     *  start time of the container whose cgroup a counter comes from, or the
     *  inode of a network namespace. When it differs from the value the
     *  previous sample of the same series (name, tags, host) carried, the
     *  counter is a new one: the host starts a new baseline instead of
     *  computing a rate or delta across the change (with
     *  VIGIL_METRIC_FLUSH_FIRST_VALUE, a monotonic count reports the new
     *  counter's first value). 0 is an epoch like any other, and what every
     *  1.0 sample carries. Ignored for the other types. */
    uint64_t series_epoch;
} vigil_metric;

/** Service check status, as Datadog defines it. */
typedef enum vigil_service_check_status {
    VIGIL_SC_OK = 0,
    VIGIL_SC_WARNING = 1,
    VIGIL_SC_CRITICAL = 2,
    VIGIL_SC_UNKNOWN = 3
} vigil_service_check_status;

typedef struct vigil_service_check {
    uint32_t struct_size;     /**< sizeof(vigil_service_check). */
    uint32_t status;          /**< A vigil_service_check_status. */
    const char *name;         /**< e.g. "example.can_run". Required. */
    const char *message;      /**< Optional text; NULL for none. */
    const char *const *tags;  /**< Optional, as in vigil_metric. */
    uint32_t tag_count;
    uint32_t reserved;        /**< Zero. Keeps the layout explicit. */
    const char *hostname;     /**< As in vigil_metric. */
    int64_t timestamp;        /**< Unix seconds; 0 means now. */
} vigil_service_check;

typedef enum vigil_event_priority {
    VIGIL_EVENT_PRIORITY_NORMAL = 0,
    VIGIL_EVENT_PRIORITY_LOW = 1
} vigil_event_priority;

/** Alert type of a Datadog event (vigil_event.alert_type). */
typedef enum vigil_event_alert_type {
    VIGIL_ALERT_INFO = 0,
    VIGIL_ALERT_WARNING = 1,
    VIGIL_ALERT_ERROR = 2,
    VIGIL_ALERT_SUCCESS = 3,

    /* Deprecated: they read like entity events. Same values. */
    VIGIL_EVENT_INFO VIGIL_DEPRECATED("use VIGIL_ALERT_INFO") = VIGIL_ALERT_INFO,
    VIGIL_EVENT_WARNING VIGIL_DEPRECATED("use VIGIL_ALERT_WARNING") = VIGIL_ALERT_WARNING,
    VIGIL_EVENT_ERROR VIGIL_DEPRECATED("use VIGIL_ALERT_ERROR") = VIGIL_ALERT_ERROR,
    VIGIL_EVENT_SUCCESS VIGIL_DEPRECATED("use VIGIL_ALERT_SUCCESS") = VIGIL_ALERT_SUCCESS
} vigil_event_alert_type;

typedef struct vigil_event {
    uint32_t struct_size;     /**< sizeof(vigil_event). */
    uint32_t priority;        /**< A vigil_event_priority. */
    const char *title;        /**< Required. */
    const char *text;         /**< Required; may be "". */
    const char *const *tags;  /**< Optional, as in vigil_metric. */
    uint32_t tag_count;
    uint32_t alert_type;      /**< A vigil_event_alert_type (VIGIL_ALERT_*). */
    const char *hostname;     /**< As in vigil_metric. */
    const char *aggregation_key; /**< Optional; NULL for none. */
    const char *source_type_name;/**< Optional; NULL for the check name. */
    int64_t timestamp;        /**< Unix seconds; 0 means now. */
} vigil_event;

/* ------------------------------------------------------------------------ */
/* Workload entities                                                         */
/* ------------------------------------------------------------------------ */

/** Kinds of workload entity. Used as bit positions in subscription masks. */
typedef enum vigil_entity_kind {
    VIGIL_ENTITY_CONTAINER = 0,
    VIGIL_ENTITY_IMAGE = 1,
    VIGIL_ENTITY_POD = 2,        /**< Reserved for an orchestrator source. */
    VIGIL_ENTITY_AUTOSCALER = 3  /**< Reserved for the autoscaling module. */
} vigil_entity_kind;

/** Bit for an entity kind in vigil_subscription.kind_mask. */
#define VIGIL_ENTITY_KIND_BIT(kind) (1u << (unsigned)(kind))

typedef enum vigil_container_state {
    VIGIL_CONTAINER_UNKNOWN = 0,
    VIGIL_CONTAINER_CREATED = 1,
    VIGIL_CONTAINER_RUNNING = 2,
    VIGIL_CONTAINER_PAUSED = 3,
    VIGIL_CONTAINER_STOPPED = 4
} vigil_container_state;

/**
 * A container. Key/value lists are flat arrays of 2*count strings:
 * list[2*i] is the key and list[2*i+1] its value.
 */
typedef struct vigil_container {
    uint32_t struct_size;        /**< sizeof(vigil_container). */
    uint32_t state;              /**< A vigil_container_state. */
    const char *name;            /**< Runtime name; may equal the id. */
    const char *namespace_name;  /**< Runtime namespace (containerd) or ""; never NULL. */
    const char *runtime;         /**< "containerd", "docker", "cri-o", ... */
    const char *image_ref;       /**< Image reference the container was created from. */
    const char *image_id;        /**< Image id (config digest "sha256:..."), or "". */
    const char *const *labels;   /**< 2*label_count strings. */
    uint32_t label_count;
    uint32_t env_count;          /**< Pairs in env. */
    const char *const *env;      /**< Selected environment variables, 2*env_count strings. */
    const char *cgroup_path;     /**< Path of its cgroup below each controller root, e.g. "/default/web"; or "". */
    int64_t pid;                 /**< Init process PID in the host PID namespace; 0 if not running. */
    int64_t created_at;          /**< Unix nanoseconds; 0 if unknown. */
    int64_t started_at;          /**< Unix nanoseconds; 0 if not started. */
    int64_t finished_at;         /**< Unix nanoseconds; 0 if not finished. */
    int64_t exit_code;           /**< Exit status once stopped; 0 otherwise. */

    /* ---- since 1.2: what autodiscovery's %%host%%, %%port%% and %%hostname%% need,
     *      found by the runtime's module so that the core reads no /proc ---- */

    const char *hostname;        /**< Since 1.2. Hostname from the container's configuration, or "". */
    const char *const *ip_addresses; /**< Since 1.2. ip_address_count addresses in its network
                                      *   namespace, loopback excluded, preferred first; may be NULL. */
    uint32_t ip_address_count;   /**< Since 1.2. */
    uint32_t port_count;         /**< Since 1.2. Entries in ports. */
    const uint16_t *ports;       /**< Since 1.2. TCP ports listening in its network namespace,
                                  *   ascending, no duplicates; may be NULL. */
} vigil_container;

/** An image. Its entity id is the config digest ("sha256:..."). */
typedef struct vigil_image {
    uint32_t struct_size;        /**< sizeof(vigil_image). */
    uint32_t repo_tag_count;
    const char *name;            /**< Repository name without tag or digest, e.g. "docker.io/library/redis". */
    const char *const *repo_tags;    /**< e.g. "docker.io/library/redis:7". */
    const char *const *repo_digests; /**< e.g. "docker.io/library/redis@sha256:...". */
    uint32_t repo_digest_count;
    uint32_t layer_count;
    const char *const *layers;   /**< Layer digests, bottom first. */
    const char *media_type;      /**< Manifest or index media type. */
    const char *os;              /**< e.g. "linux". */
    const char *architecture;    /**< e.g. "amd64". */
    const char *variant;         /**< e.g. "v8", or "". */
    int64_t size_bytes;          /**< Total size of the image content; 0 if unknown. */
    int64_t created_at;          /**< Unix nanoseconds; 0 if unknown. */

    /* ---- since 1.4: its software bill of materials, as the sbom module reports it.
     *      A source that knows nothing of it leaves these zero (NULL strings). ---- */

    const char *sbom_status;     /**< Since 1.4. "" (unknown), "pending", "scanning", "success" or "failed". */
    const char *sbom_error;      /**< Since 1.4. Why the last scan failed (kept while a retry waits), or "". */
    int64_t sbom_generated_at;   /**< Since 1.4. Unix nanoseconds of the last successful scan; 0 if none. */
    int64_t sbom_duration_ms;    /**< Since 1.4. How long that scan took, in milliseconds. */
    int64_t sbom_package_count;  /**< Since 1.4. Packages that scan found. */
    int64_t sbom_retry_at;       /**< Since 1.4. While a failed scan waits: unix nanoseconds of the next
                                  *   attempt; 0 otherwise. */
} vigil_image;

/**
 * A workload entity as published by one source. Exactly one of the typed
 * pointers matching `kind` is set; kinds without a typed struct (pods,
 * autoscalers) describe themselves with `attributes` key/value pairs.
 */
typedef struct vigil_entity {
    uint32_t struct_size;           /**< sizeof(vigil_entity). */
    uint32_t kind;                  /**< A vigil_entity_kind. */
    const char *id;                 /**< Unique within the kind. Required. */
    const vigil_container *container; /**< Set when kind is VIGIL_ENTITY_CONTAINER. */
    const vigil_image *image;       /**< Set when kind is VIGIL_ENTITY_IMAGE. */
    const char *const *attributes;  /**< 2*attribute_count strings, for any kind. */
    uint32_t attribute_count;
    uint32_t reserved;              /**< Zero. */
} vigil_entity;

/** What happened to an entity. Also bit positions in event_mask. */
typedef enum vigil_entity_event_type {
    VIGIL_ENTITY_EVENT_SET = 0,    /**< Added or changed; `entity` is its merged state. */
    VIGIL_ENTITY_EVENT_UNSET = 1,  /**< Removed by its last source; `entity` is its last state. */

    /* Deprecated: they read like Datadog events. Same values. */
    VIGIL_EVENT_SET VIGIL_DEPRECATED("use VIGIL_ENTITY_EVENT_SET") = VIGIL_ENTITY_EVENT_SET,
    VIGIL_EVENT_UNSET VIGIL_DEPRECATED("use VIGIL_ENTITY_EVENT_UNSET") = VIGIL_ENTITY_EVENT_UNSET
} vigil_entity_event_type;

/** Bit for an entity event type in vigil_subscription.event_mask. */
#define VIGIL_ENTITY_EVENT_BIT(type) (1u << (unsigned)(type))

typedef struct vigil_entity_event {
    uint32_t struct_size;        /**< sizeof(vigil_entity_event). */
    uint32_t type;               /**< A vigil_entity_event_type. */
    const vigil_entity *entity;  /**< Borrowed until the callback returns. */
} vigil_entity_event;

/**
 * Receives a batch of entity events. The first call after subscribing is the
 * initial bundle (is_initial_bundle = 1): one SET per entity already present
 * (possibly zero of them). Later calls carry events in the order they
 * happened. Everything pointed to is borrowed until the callback returns.
 */
typedef void (*vigil_entity_events_fn)(void *user_data,
                                       const vigil_entity_event *events,
                                       size_t count,
                                       int is_initial_bundle);

/** Receives entities from get_entity / list_entities; borrowed for the call. */
typedef void (*vigil_entity_fn)(void *user_data, const vigil_entity *entity);

/** Receives a tag list; borrowed for the call. */
typedef void (*vigil_tags_fn)(void *user_data, const char *const *tags, size_t count);

typedef struct vigil_subscription {
    uint32_t struct_size;        /**< sizeof(vigil_subscription). */
    uint32_t kind_mask;          /**< VIGIL_ENTITY_KIND_BIT(kind) for each kind wanted; 0 = all. */
    uint32_t event_mask;         /**< VIGIL_ENTITY_EVENT_BIT(VIGIL_ENTITY_EVENT_SET) |
                                      VIGIL_ENTITY_EVENT_BIT(VIGIL_ENTITY_EVENT_UNSET); 0 = both. */
    uint32_t reserved;           /**< Zero. */
    const char *source;          /**< Only entities reported by this source; NULL = any. */
    const char *name;            /**< Subscriber name shown in status. Required. */
    vigil_entity_events_fn callback; /**< Required. */
    void *user_data;             /**< Passed back to callback unchanged. */
} vigil_subscription;

/** Tag cardinality, as the tagger defines it. */
typedef enum vigil_cardinality {
    VIGIL_CARDINALITY_LOW = 0,          /**< image_name, short_image, image_tag, ... */
    VIGIL_CARDINALITY_ORCHESTRATOR = 1, /**< + pod_name, ... */
    VIGIL_CARDINALITY_HIGH = 2          /**< + container_id, container_name. */
} vigil_cardinality;

/** Since 1.3. State of a gate (vigil_host_api.gate_state). A gate is a
 *  named condition in the core that a module opens (e.g. "autoscaling",
 *  opened by the first DatadogPodAutoscaler) and that collectors declare, in
 *  their configuration (`wait_for_gate: NAME`), that they wait for: the host
 *  configures and starts them when it opens, and stops and destroys them
 *  when it has closed. Only gates the agent's configuration declares exist;
 *  any other name reads as open. */
typedef enum vigil_gate_state {
    VIGIL_GATE_DORMANT = 0,  /**< Declared, not opened yet (or closed again): its collectors are not running. */
    VIGIL_GATE_OPEN = 1,     /**< Opened by a module: its collectors run. */
    VIGIL_GATE_CLOSING = 2   /**< Its opener let go; it becomes dormant after the gate's close_after
                                  unless opened again. Its collectors still run. */
} vigil_gate_state;

/** Scopes for vigil_host_api.config_value. */
typedef enum vigil_config_scope {
    VIGIL_CONFIG_AGENT = 0,       /**< vigil.yaml, after environment overrides. */
    VIGIL_CONFIG_INIT_CONFIG = 1, /**< This check's init_config. */
    VIGIL_CONFIG_INSTANCE = 2     /**< This instance. */
} vigil_config_scope;

/* ------------------------------------------------------------------------ */
/* The host table                                                            */
/* ------------------------------------------------------------------------ */

/** The host's handle for one module instance; opaque to the module. */
typedef struct vigil_host vigil_host;

/**
 * Functions the host offers. Handed to the module in configure(); valid until
 * destroy() returns. The table only grows: each function appended after ABI
 * 1.0 goes at the end under a "since 1.N" mark, and a module checks for it
 * with VIGIL_HOST_HAS before calling it. Functions of 1.0 are always there.
 *
 *   since 1.0  submit_metrics ... set_ready (the 14 below)
 *   since 1.1  no new functions (1.1 appended vigil_metric.series_epoch)
 *   since 1.2  no new functions (1.2 appended fields to vigil_container)
 *   since 1.3  gate_set, gate_state
 *   since 1.4  no new functions (1.4 appended the sbom_* fields to vigil_image)
 *   since 1.5  report_connection
 */
typedef struct vigil_host_api {
    uint32_t struct_size;   /**< sizeof(vigil_host_api) as the host compiled it. */
    uint16_t abi_major;     /**< The host's VIGIL_ABI_MAJOR. */
    uint16_t abi_minor;     /**< The host's VIGIL_ABI_MINOR. */

    /* ---- since 1.0 ---- */

    /** Since 1.0. Submits `count` samples (stride metrics[0].struct_size,
     *  at least the 1.0 size; fields past it read as 0). The instance's
     *  configured tags are appended by the host. Samples with a NULL name, a
     *  non-finite value or a control character (below 0x20, or 0x7F) in the
     *  name or a tag are dropped and counted (as a warning of the run); the
     *  rest are kept. Returns
     *  VIGIL_ERROR_INVALID if any sample was dropped. RATE and
     *  MONOTONIC_COUNT are computed here, per series and series_epoch. */
    vigil_status (*submit_metrics)(vigil_host *host, const vigil_metric *metrics, size_t count);

    /** Since 1.0. Submits one service check; the instance's tags are appended. */
    vigil_status (*submit_service_check)(vigil_host *host, const vigil_service_check *check);

    /** Since 1.0. Submits one event; the instance's tags are appended. */
    vigil_status (*submit_event)(vigil_host *host, const vigil_event *event);

    /** Since 1.0. Writes a line to the agent's log, prefixed with module and instance. */
    void (*log)(vigil_host *host, vigil_log_level level, const char *message);

    /** Since 1.0. Copies the agent's hostname into buf (NUL-terminated, truncated to
     *  buf_size). Returns the full length, like snprintf. */
    size_t (*hostname)(vigil_host *host, char *buf, size_t buf_size);

    /** Since 1.0. Calls `fn` once with the tags of an entity at a cardinality. Entity ids
     *  are prefixed by kind: "container_id://<id>", "image_id://<digest>".
     *  VIGIL_ERROR_NOT_FOUND (fn not called) when the tagger does not know it. */
    vigil_status (*entity_tags)(vigil_host *host, const char *entity_id,
                                vigil_cardinality cardinality,
                                vigil_tags_fn fn, void *user_data);

    /** Since 1.0. Copies a configuration value into buf, like hostname(). `key` is a
     *  dotted path ("containerd_namespaces", "options.timeout"). Scalars are
     *  rendered as text; lists and maps as JSON. Returns the full length, or
     *  (size_t)-1 when the key does not exist (buf is then set to ""). In
     *  the agent scope, credentials (api_key, app_key, *password*, *token*,
     *  *secret*, ...) read as absent, and a map or list holding one (a
     *  section, or the whole file for "" or ".") has their values replaced
     *  by "********": secrets stay in the core. */
    size_t (*config_value)(vigil_host *host, vigil_config_scope scope,
                           const char *key, char *buf, size_t buf_size);

    /** Since 1.0. Publishes (adds or replaces) an entity as reported by `source`. The
     *  store merges reports from several sources. Everything is copied. */
    vigil_status (*publish_entity)(vigil_host *host, const char *source,
                                   const vigil_entity *entity);

    /** Since 1.0. Withdraws `source`'s report of an entity. It is removed from the store
     *  when the last source that reported it withdraws. */
    vigil_status (*remove_entity)(vigil_host *host, const char *source,
                                  vigil_entity_kind kind, const char *id);

    /** Since 1.0. Calls `fn` once with the merged entity. VIGIL_ERROR_NOT_FOUND if absent. */
    vigil_status (*get_entity)(vigil_host *host, vigil_entity_kind kind,
                               const char *id, vigil_entity_fn fn, void *user_data);

    /** Since 1.0. Calls `fn` once per entity of `kind`, from a consistent snapshot. */
    vigil_status (*list_entities)(vigil_host *host, vigil_entity_kind kind,
                                  vigil_entity_fn fn, void *user_data);

    /** Since 1.0. Subscribes to entity events; writes a non-zero id to *subscription_id.
     *  Subscriptions end at unsubscribe or when the instance is destroyed. */
    vigil_status (*subscribe)(vigil_host *host, const vigil_subscription *subscription,
                              uint64_t *subscription_id);

    /** Since 1.0. Ends a subscription. When it returns, its callback is not running and
     *  will not run again (unless called from inside that same callback). */
    vigil_status (*unsubscribe)(vigil_host *host, uint64_t subscription_id);

    /** Since 1.0. A collector calls this once its first full synchronisation is done
     *  (e.g. every container listed and published). `vigil check` waits for
     *  it, bounded, before running checks, so tags and templates resolve in
     *  a one-shot run. Calling it again does nothing. */
    void (*set_ready)(vigil_host *host);

    /* ---- since 1.1: no functions appended ---- */
    /* ---- since 1.2: no functions appended ---- */

    /* ---- since 1.3 ---- */

    /** Since 1.3. Opens (open != 0) or lets go of (open == 0) the gate `name`
     *  on behalf of this instance. `reason` (borrowed; may be NULL) is shown in
     *  `vigil status`, e.g. "DatadogPodAutoscaler default/web". Opening a
     *  dormant or closing gate makes it open at once (the host then starts
     *  the collectors waiting for it, on its own thread, after this call
     *  returns). Letting go of an open gate makes it closing when the agent
     *  configured a close_after for it, and it becomes dormant that long
     *  later unless opened again; without close_after an open gate stays
     *  open. Calling it again with the same `open` changes nothing but the
     *  reason. Returns VIGIL_ERROR_NOT_FOUND when the configuration declares
     *  no such gate (it reads as open and this call changes nothing),
     *  VIGIL_ERROR_INVALID for a NULL or empty name. */
    vigil_status (*gate_set)(vigil_host *host, const char *name, int open, const char *reason);

    /** Since 1.3. Writes the state of gate `name` (a vigil_gate_state) to
     *  *state_out. VIGIL_ERROR_NOT_FOUND, with *state_out set to
     *  VIGIL_GATE_OPEN, when no such gate is declared. */
    vigil_status (*gate_state)(vigil_host *host, const char *name, uint32_t *state_out);

    /* ---- since 1.4: no functions appended ---- */

    /* ---- since 1.5 ---- */

    /** Since 1.5. Reports whether this instance is connected to what it
     *  collects from (containerd's socket, the Kubernetes API server):
     *  `connected` non-zero for up, 0 for down; `detail` (borrowed; may be
     *  NULL) says where or why, e.g. "/run/containerd/containerd.sock" or
     *  "connection refused". The host keeps the state and when it last
     *  changed, shows both in `vigil status` (`collectors`), logs each change,
     *  and fails readiness naming the instance while it is down. An instance
     *  that never calls it has no connection state. Calling it again with the
     *  same state changes only the detail. */
    vigil_status (*report_connection)(vigil_host *host, int connected, const char *detail);
} vigil_host_api;

/** True when the host table is recent enough to contain `field`. */
#define VIGIL_HOST_HAS(api, field) \
    ((api)->struct_size >= offsetof(vigil_host_api, field) + sizeof((api)->field) && (api)->field != NULL)

/* ------------------------------------------------------------------------ */
/* The module descriptor                                                     */
/* ------------------------------------------------------------------------ */

/** What a module does (vigil_module.kinds); a module may combine several. */
#define VIGIL_MODULE_KIND_CHECK      0x1u  /**< run() is called every min_collection_interval. */
#define VIGIL_MODULE_KIND_COLLECTOR  0x2u  /**< start() once; works in the background until stop(). */
#define VIGIL_MODULE_KIND_SUBSCRIBER 0x4u  /**< Subscribes to workload events. */

/** One configured instance, handed to configure(). All strings borrowed. */
typedef struct vigil_instance_config {
    uint32_t struct_size;        /**< sizeof(vigil_instance_config). */
    uint32_t interval_ms;        /**< The instance's min_collection_interval. */
    const char *check_name;      /**< The conf.d name, e.g. "cgroup". */
    const char *instance_id;     /**< Stable id of this instance, e.g. "cgroup:3f2a...". */
    const char *init_config_yaml;/**< init_config as YAML text ("{}" when empty). */
    const char *instance_yaml;   /**< This instance as YAML text. */
} vigil_instance_config;

/**
 * The module's description of itself, returned by the entry function.
 * Must stay valid for the life of the process (a static const is ideal).
 */
typedef struct vigil_module {
    uint32_t struct_size;   /**< sizeof(vigil_module). */
    uint16_t abi_major;     /**< VIGIL_ABI_MAJOR the module was compiled with. */
    uint16_t abi_minor;     /**< VIGIL_ABI_MINOR the module was compiled with. */
    const char *name;       /**< Unique module name; matches conf.d/<name>.d. */
    const char *version;    /**< The module's own version, e.g. "1.2.0". */
    const char *description;/**< One line for `vigil modules`. */
    uint32_t kinds;         /**< VIGIL_MODULE_KIND_* bits. */
    uint32_t reserved;      /**< Zero. */

    /** Creates an instance. Keep `api` and `host`: every host call needs
     *  them. Store the instance in *instance_out. On failure write errbuf,
     *  leave *instance_out untouched and return non-VIGIL_OK. Required. */
    vigil_status (*configure)(const vigil_host_api *api, vigil_host *host,
                              const vigil_instance_config *config,
                              void **instance_out, char *errbuf, size_t errbuf_size);

    /** One collection run (VIGIL_KIND_CHECK). Submit through the host table,
     *  then return. A non-OK status marks the run failed; it runs again at
     *  its next interval. NULL for modules that are not checks. */
    vigil_status (*run)(void *instance, char *errbuf, size_t errbuf_size);

    /** Starts background work (VIGIL_KIND_COLLECTOR) and returns promptly.
     *  NULL if not a collector. */
    vigil_status (*start)(void *instance, char *errbuf, size_t errbuf_size);

    /** Stops background work; returns when its threads have finished. May be
     *  NULL. */
    void (*stop)(void *instance);

    /** Frees the instance. Always called last, once. Required. */
    void (*destroy)(void *instance);
} vigil_module;

/**
 * The entry point. The host passes its own ABI version so a module can refuse
 * a host that is too old (by returning NULL) or adapt to it.
 */
typedef const vigil_module *(*vigil_module_entry_fn)(uint16_t host_abi_major,
                                                     uint16_t host_abi_minor);

/** Declare the entry point in a module:  VIGIL_MODULE_ENTRY { return &my_module; } */
#define VIGIL_MODULE_ENTRY                                                   \
    VIGIL_EXPORT const vigil_module *vigil_module_entry(uint16_t host_abi_major, \
                                                        uint16_t host_abi_minor)

/* ------------------------------------------------------------------------ */
/* Layout guarantees (LP64). A change here breaks every compiled module.      */
/* ------------------------------------------------------------------------ */

#if defined(__LP64__) && !defined(__cplusplus)
_Static_assert(offsetof(vigil_metric, value) == 16, "vigil_metric layout changed");
_Static_assert(offsetof(vigil_metric, hostname) + sizeof(void *) == 48, "vigil_metric 1.0 layout changed");
_Static_assert(offsetof(vigil_metric, series_epoch) == 48, "vigil_metric 1.1 layout changed");
_Static_assert(sizeof(vigil_metric) == 56, "vigil_metric layout changed");
_Static_assert(sizeof(vigil_service_check) == 56, "vigil_service_check layout changed");
_Static_assert(sizeof(vigil_event) == 72, "vigil_event layout changed");
_Static_assert(offsetof(vigil_container, exit_code) + sizeof(int64_t) == 120, "vigil_container 1.0 layout changed");
_Static_assert(offsetof(vigil_container, hostname) == 120, "vigil_container 1.2 layout changed");
_Static_assert(sizeof(vigil_container) == 152, "vigil_container layout changed");
_Static_assert(offsetof(vigil_image, created_at) + sizeof(int64_t) == 96, "vigil_image 1.0 layout changed");
_Static_assert(offsetof(vigil_image, sbom_status) == 96, "vigil_image 1.4 layout changed");
_Static_assert(sizeof(vigil_image) == 144, "vigil_image layout changed");
_Static_assert(sizeof(vigil_entity) == 48, "vigil_entity layout changed");
_Static_assert(sizeof(vigil_entity_event) == 16, "vigil_entity_event layout changed");
_Static_assert(sizeof(vigil_subscription) == 48, "vigil_subscription layout changed");
_Static_assert(sizeof(vigil_instance_config) == 40, "vigil_instance_config layout changed");
_Static_assert(offsetof(vigil_host_api, submit_metrics) == 8, "vigil_host_api layout changed");
_Static_assert(offsetof(vigil_host_api, gate_set) == 8 + 14 * sizeof(void *), "vigil_host_api 1.3 layout changed");
_Static_assert(offsetof(vigil_host_api, report_connection) == 8 + 16 * sizeof(void *), "vigil_host_api 1.5 layout changed");
_Static_assert(sizeof(vigil_host_api) == 8 + 17 * sizeof(void *), "vigil_host_api layout changed");
_Static_assert(sizeof(vigil_module) == 80, "vigil_module layout changed");
_Static_assert(offsetof(vigil_module, configure) == 40, "vigil_module layout changed");
#endif

/* ------------------------------------------------------------------------ */
/* Deprecated names                                                          */
/* ------------------------------------------------------------------------ */

/*
 * Names from 1.0 that said two things at once. They keep their values and
 * stay available; new code uses the name on the right.
 *
 *   VIGIL_EVENT_SET, VIGIL_EVENT_UNSET    VIGIL_ENTITY_EVENT_SET, _UNSET
 *   VIGIL_EVENT_INFO, _WARNING, _ERROR,   VIGIL_ALERT_INFO, _WARNING, _ERROR,
 *     _SUCCESS (alert types)                _SUCCESS
 *   VIGIL_KIND_CHECK, _COLLECTOR,         VIGIL_MODULE_KIND_CHECK, _COLLECTOR,
 *     _SUBSCRIBER (module kinds)            _SUBSCRIBER
 *   VIGIL_KIND_BIT(kind)                  VIGIL_ENTITY_KIND_BIT(kind)
 *
 * The enum constants warn when used (see VIGIL_DEPRECATED); the macros warn
 * under clang.
 */
#define VIGIL_KIND_CHECK      VIGIL_MODULE_KIND_CHECK      /**< Deprecated: VIGIL_MODULE_KIND_CHECK. */
#define VIGIL_KIND_COLLECTOR  VIGIL_MODULE_KIND_COLLECTOR  /**< Deprecated: VIGIL_MODULE_KIND_COLLECTOR. */
#define VIGIL_KIND_SUBSCRIBER VIGIL_MODULE_KIND_SUBSCRIBER /**< Deprecated: VIGIL_MODULE_KIND_SUBSCRIBER. */
#define VIGIL_KIND_BIT(kind)  VIGIL_ENTITY_KIND_BIT(kind)  /**< Deprecated: VIGIL_ENTITY_KIND_BIT. */
#if defined(__clang__) && !defined(VIGIL_NO_DEPRECATION_WARNINGS)
#pragma clang deprecated(VIGIL_KIND_CHECK, "use VIGIL_MODULE_KIND_CHECK")
#pragma clang deprecated(VIGIL_KIND_COLLECTOR, "use VIGIL_MODULE_KIND_COLLECTOR")
#pragma clang deprecated(VIGIL_KIND_SUBSCRIBER, "use VIGIL_MODULE_KIND_SUBSCRIBER")
#pragma clang deprecated(VIGIL_KIND_BIT, "use VIGIL_ENTITY_KIND_BIT")
#endif

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_MODULE_H */
