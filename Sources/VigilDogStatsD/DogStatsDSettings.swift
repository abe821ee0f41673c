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

    init(config: AgentConfig) throws(DogStatsDError) {
        let socket = config.path("dogstatsd_socket") ?? AgentConfig.resolve("dsd.socket", config.runPath)
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
