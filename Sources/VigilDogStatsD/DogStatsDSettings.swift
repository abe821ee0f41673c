import VigilAggregation
import VigilConfig
import VigilModel

/// The `dogstatsd_*` keys of vigil.yaml, validated once at construction.
struct DogStatsDSettings {
    /// Unix datagram socket; nil when set to "".
    var socketPath: String?
    /// Unix stream socket; off unless set.
    var streamSocketPath: String?
    /// 0 disables UDP.
    var port: Int
    var nonLocalTraffic: Bool
    var bufferSize: Int
    /// 0 keeps the system default.
    var receiveBufferBytes: Int
    /// Datagrams the Unix datagram socket queues; 0 keeps net.unix.max_dgram_qlen.
    var socketQueueLength: Int
    var originDetection: Bool
    var tagCardinality: TagCardinality
    var expirySeconds: Int
    var queueSize: Int
    /// Worker threads behind the queue; 0: the socket readers parse in place.
    var workers: Int
    /// `dogstatsd_tags`: added to every metric, event and service check received.
    var extraTags: [String]
    /// `statsd_metric_namespace` (+ `_blacklist`), `metric_filterlist` (+ `_match_prefix`),
    /// `histogram_copy_to_distribution` (+ `_prefix`).
    var nameRules: MetricNameRules
    /// `dogstatsd_mapper_profiles`; empty for none.
    var mapperProfiles: [MapperProfile]
    /// `dogstatsd_mapper_cache_size`: names whose mapping each worker remembers.
    var mapperCacheSize: Int
    /// `dogstatsd_context_limit` and `dogstatsd_context_limit_per_origin`.
    var contextLimits: ContextLimits
    /// `dogstatsd_tags_per_sample_limit` and `dogstatsd_tag_length_limit`.
    var tagLimits: TagLimits

    /// About 650 bytes each with a 30-byte name and five 20-byte tags
    /// (docs/dogstatsd.md#bounds): some 65 MB at the bound.
    static let defaultContextLimit = 100_000
    /// A share, so that raising the limit raises it too.
    static let defaultOriginShare = 0.5

    /// The reference's default `statsd_metric_namespace_blacklist`: the
    /// prefixes of its own components and of JMXFetch integrations.
    static let standardStatsdPrefixes = [
        "datadog.agent", "datadog.dogstatsd", "datadog.process", "datadog.trace_agent", "datadog.tracer",
        "activemq", "activemq_58", "airflow", "cassandra", "confluent", "hazelcast", "hive", "ignite", "jboss",
        "jvm", "kafka", "presto", "sidekiq", "solr", "tomcat", "runtime",
    ]

    init(config: AgentConfig) throws(DogStatsDError) {
        let socket = config.path("dogstatsd_socket") ?? config.dogstatsdSocketDirectory + "/dsd.socket"
        socketPath = config.string("dogstatsd_socket") == "" ? nil : socket
        let stream = config.path("dogstatsd_stream_socket")
        streamSocketPath = (stream?.isEmpty ?? true) || config.string("dogstatsd_stream_socket") == "" ? nil : stream
        port = try Self.int(config, "dogstatsd_port", default: 8125, range: 0...65535)
        nonLocalTraffic = config.bool("dogstatsd_non_local_traffic") ?? false
        bufferSize = try Self.int(config, "dogstatsd_buffer_size", default: 8192, range: 64...(1 << 20))
        receiveBufferBytes = try Self.int(config, "dogstatsd_so_rcvbuf", default: 0, range: 0...(1 << 30))
        socketQueueLength = try Self.int(config, "dogstatsd_socket_queue_length", default: 1024, range: 0...65536)
        originDetection = config.bool("dogstatsd_origin_detection") ?? true
        let cardinality = config.string("dogstatsd_tag_cardinality") ?? "low"
        guard let parsed = TagCardinality(name: cardinality) else {
            throw DogStatsDError.invalidSetting("dogstatsd_tag_cardinality must be low, orchestrator or high, not \"\(cardinality)\"")
        }
        tagCardinality = parsed
        expirySeconds = try Self.int(config, "dogstatsd_expiry_seconds", default: 300, range: 10...86_400)
        queueSize = try Self.int(config, "dogstatsd_queue_size", default: 1024, range: 16...(1 << 20))
        workers = try Self.int(config, "dogstatsd_pipeline_count", default: 0, range: 0...64)

        extraTags = try Self.typed(config, "dogstatsd_tags", config.strings("dogstatsd_tags"), "a list of tags") ?? []
        var rules = MetricNameRules()
        let namespace = try Self.typed(config, "statsd_metric_namespace", config.string("statsd_metric_namespace"),
                                       "a string") ?? ""
        rules.namespace = namespace.isEmpty || namespace.hasSuffix(".") ? namespace : namespace + "."
        rules.namespaceExempt = try Self.typed(config, "statsd_metric_namespace_blacklist",
                                               config.strings("statsd_metric_namespace_blacklist"), "a list of prefixes")
            ?? Self.standardStatsdPrefixes
        let filterlist = try Self.typed(config, "metric_filterlist", config.strings("metric_filterlist"),
                                        "a list of metric names") ?? []
        let matchPrefix = try Self.typed(config, "metric_filterlist_match_prefix",
                                         config.bool("metric_filterlist_match_prefix"), "true or false") ?? false
        rules.filter = MetricNameMatcher(filterlist, matchPrefix: matchPrefix)
        if try Self.typed(config, "histogram_copy_to_distribution", config.bool("histogram_copy_to_distribution"),
                          "true or false") ?? false {
            rules.distributionCopyPrefix = try Self.typed(config, "histogram_copy_to_distribution_prefix",
                                                          config.string("histogram_copy_to_distribution_prefix"),
                                                          "a string") ?? ""
        }
        nameRules = rules
        if let node = config.value("dogstatsd_mapper_profiles") {
            do {
                mapperProfiles = try MapperProfile.parse(node, key: "dogstatsd_mapper_profiles")
            } catch {
                throw DogStatsDError.invalidSetting(error.message)
            }
        } else {
            mapperProfiles = []
        }
        mapperCacheSize = try Self.int(config, "dogstatsd_mapper_cache_size", default: 1000, range: 1...1_000_000)
        let total = try Self.int(config, "dogstatsd_context_limit", default: Self.defaultContextLimit, range: 1...100_000_000)
        var share = Self.defaultOriginShare
        if config.value("dogstatsd_context_limit_per_origin") != nil {
            guard let v = config.double("dogstatsd_context_limit_per_origin"), v > 0, v.isFinite, v <= 1 || v == v.rounded() else {
                throw DogStatsDError.invalidSetting("dogstatsd_context_limit_per_origin must be a share of dogstatsd_context_limit (0 < share <= 1) or a whole number of contexts")
            }
            share = v
        }
        let perOrigin = share <= 1 ? Int((Double(total) * share).rounded(.up)) : Int(share)
        contextLimits = ContextLimits(total: total, perOrigin: perOrigin)
        tagLimits = TagLimits(
            perSample: try Self.int(config, "dogstatsd_tags_per_sample_limit", default: 100, range: 1...100_000),
            bytesPerTag: try Self.int(config, "dogstatsd_tag_length_limit", default: 1024, range: 1...(1 << 20)))
    }

    /// `parsed` when `key` is set and reads as the expected type, nil when unset; otherwise a clear error.
    private static func typed<T>(_ config: AgentConfig, _ key: String, _ parsed: T?, _ expected: String)
        throws(DogStatsDError) -> T?
    {
        if config.value(key) != nil, parsed == nil {
            throw DogStatsDError.invalidSetting("\(key) must be \(expected)")
        }
        return parsed
    }

    private static func int(_ config: AgentConfig, _ key: String, default value: Int, range: ClosedRange<Int>)
        throws(DogStatsDError) -> Int
    {
        guard config.value(key) != nil else { return value }
        guard let v = config.int(key), range.contains(v) else {
            throw DogStatsDError.invalidSetting("\(key) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }
}
