import Logging
import Synchronization
import VigilModel

/// Prometheus remote write: flushes mapped to typed samples
/// (PrometheusMapping), encoded as WriteRequest items, packed by the shared
/// request builder into snappy bodies and delivered from one durable lane.
final class RemoteWriteSink: Sink {
    let name = "prometheus_remote_write"
    static let lane = "prometheus_remote_write"
    let config: RemoteWriteConfig
    private let lanes: DurableLanes
    private let healthDeadline: Double
    /// Touched only by this sink's worker; the lock makes that checkable.
    private let mapping = Mutex(PrometheusMapping())

    init(config: RemoteWriteConfig, outbox: (_ lanes: [String]) -> Outbox, delivery: DeliverySettings, logger: Logger) {
        self.config = config
        let outbox = outbox([Self.lane])
        // Items are whole protobuf fields: no prefix, separator or suffix.
        let builder = PayloadBuilder(lane: Self.lane,
                                     framing: PayloadFraming(prefix: "", separator: "", suffix: "", maxItems: config.seriesPerRequest),
                                     limits: PayloadLimits(maxCompressed: 8 << 20, maxUncompressed: 32 << 20))
        let sender = LaneSender(outbox: outbox, transport: RemoteWriteTransport(config: config, timeoutSeconds: delivery.timeoutSeconds),
                                builder: builder, encoding: .snappy, backoffBase: delivery.backoffBase,
                                backoffCap: delivery.backoffCap, logger: logger)
        healthDeadline = delivery.healthDeadline
        lanes = DurableLanes(outbox: outbox, senders: [sender], unstoredMaxBytes: delivery.unstoredMaxBytes, logger: logger)
        logger.info("forwarding to Prometheus remote write", metadata: ["url": "\(URLText.redactingCredentials(config.url))", "pending_payloads": "\(lanes.pendingPayloads)"])
    }

    func start(health: HealthRegistry) { lanes.start(health: health, deadline: healthDeadline) }

    func write(_ batch: FlushBatch) {
        // Older payloads a full disk refused go first, with or without new ones.
        if lanes.holdsUnstored { lanes.storeOrHold([]) }
        let now = WallClock.nowSeconds()
        let samples = mapping.withLock { $0.samples(batch, now: now) }
        lanes.store(RemoteWriteEncoder.items(samples), lane: Self.lane)
    }

    var holdsUnstored: Bool { lanes.holdsUnstored }

    func stop(deadline: Double, storeDeadline: Double) async {
        await lanes.stop(deadline: deadline, storeDeadline: storeDeadline)
    }

    func statusSnapshot() -> JSONValue {
        .object([("url", .string(URLText.redactingCredentials(config.url))),
                 ("skipped_non_finite_points", .int(Int64(mapping.withLock { $0.skippedPoints })))] + lanes.statusSnapshot())
    }
}
