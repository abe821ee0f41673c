import Logging
import Synchronization
import VigilModel

/// Datadog's intake: series (v2 JSON), sketches (protobuf), service checks
/// and events, each route its own lane of the outbox.
final class DatadogSink: Sink {
    let name = "datadog"
    let config: DatadogConfig
    private let lanes: DurableLanes
    private let healthDeadline: Double
    private let skippedPoints = Mutex(0)

    init(config: DatadogConfig, outbox: (_ lanes: [String]) -> Outbox, delivery: DeliverySettings, logger: Logger) {
        self.config = config
        let transport = DatadogTransport(baseURL: config.url, apiKey: config.apiKey, timeoutSeconds: delivery.timeoutSeconds)
        let outbox = outbox(IntakeEndpoint.allCases.map(\.lane))
        let senders = IntakeEndpoint.allCases.map { endpoint in
            LaneSender(outbox: outbox, transport: transport,
                       builder: endpoint.builder(limits: config.limits),
                       encoding: config.encoding(for: endpoint), fallbackEncoding: .deflate,
                       backoffBase: delivery.backoffBase, backoffCap: delivery.backoffCap, logger: logger)
        }
        healthDeadline = delivery.healthDeadline
        lanes = DurableLanes(outbox: outbox, senders: senders, unstoredMaxBytes: delivery.unstoredMaxBytes, logger: logger)
        logger.info("forwarding to Datadog intake", metadata: ["dd_url": "\(URLText.redactingCredentials(config.url))", "pending_payloads": "\(lanes.pendingPayloads)"])
    }

    func start(health: HealthRegistry) { lanes.start(health: health, deadline: healthDeadline) }

    func write(_ batch: FlushBatch) {
        // Older payloads a full disk refused go first, with or without new ones.
        if lanes.holdsUnstored { lanes.storeOrHold([]) }
        let series = SeriesEncoder.items(batch.series)
        skippedPoints.withLock { $0 += series.skippedPoints }
        lanes.store(series.items, lane: IntakeEndpoint.series.lane)
        lanes.store(SketchEncoder.items(batch.sketches), lane: IntakeEndpoint.sketches.lane)
        lanes.store(ServiceCheckEncoder.items(batch.serviceChecks), lane: IntakeEndpoint.serviceChecks.lane)
        lanes.store(EventEncoder.items(batch.events), lane: IntakeEndpoint.events.lane)
    }

    var holdsUnstored: Bool { lanes.holdsUnstored }

    func stop(deadline: Double, storeDeadline: Double) async {
        await lanes.stop(deadline: deadline, storeDeadline: storeDeadline)
    }

    func statusSnapshot() -> JSONValue {
        .object([("dd_url", .string(URLText.redactingCredentials(config.url))),
                 ("skipped_non_finite_points", .int(Int64(skippedPoints.withLock { $0 })))] + lanes.statusSnapshot())
    }
}
