import Foundation
import GRDB
import Logging
import VigilConfig
import VigilModel

/// Where every flush leaves the agent: fanned out to each configured
/// destination (sink) — Datadog's intake, Prometheus remote write, the
/// local store, the `/metrics` exposition — each on its own worker and, for
/// remote ones, its own durable lanes in `vigil.db`. Nothing is built for a
/// destination that is not configured.
public final class Forwarder: FlushSink, StatusReporting {
    public let settings: ForwarderSettings
    public let hostname: String
    private let logger = Logger(label: "vigil.forwarder")
    private let workers: [SinkWorker]
    private let scrape: ScrapeSink?

    public convenience init(config: AgentConfig, hostname: String) throws {
        try self.init(settings: ForwarderSettings(config: config), hostname: hostname)
    }

    public init(settings: ForwarderSettings, hostname: String) throws {
        self.settings = settings
        self.hostname = hostname
        let logger = self.logger
        var sinks: [any Sink] = []
        let remote = settings.datadog != nil || settings.remoteWrite != nil
        // The database is opened only when a destination keeps something in it.
        let database = (remote || settings.localStore) ? try VigilDatabase.open(path: settings.databasePath, logger: logger) : nil
        if let database {
            func outbox(maxBytes: Int) -> ([String]) -> Outbox {
                { lanes in Outbox(database: database, lanes: lanes, maxBytes: maxBytes) }
            }
            if let datadog = settings.datadog {
                sinks.append(DatadogSink(config: datadog, outbox: outbox(maxBytes: settings.outboxMaxBytes),
                                         delivery: settings.delivery, logger: logger))
            }
            if let remoteWrite = settings.remoteWrite {
                sinks.append(RemoteWriteSink(config: remoteWrite, outbox: outbox(maxBytes: remoteWrite.storageMaxBytes),
                                             delivery: settings.delivery, logger: logger))
            }
            if settings.localStore {
                sinks.append(LocalStoreSink(store: LocalTimeSeriesStore(database: database, retentionSeconds: settings.localRetentionSeconds,
                                                                          maxBytes: settings.localStoreMaxBytes),
                                            unstoredMaxBytes: settings.delivery.unstoredMaxBytes, logger: logger))
            }
        }
        scrape = settings.prometheusScrape ? ScrapeSink() : nil
        if let scrape { sinks.append(scrape) }
        workers = sinks.map { SinkWorker(sink: $0, capacity: settings.queueSize, logger: logger) }
        if sinks.isEmpty {
            logger.warning("no destination configured: flushes are discarded (set dd_url, prometheus_remote_write or local_store: true)")
        }
        logger.info("forwarding", metadata: ["destinations": "\(sinks.map(\.name).joined(separator: ", "))"])
    }

    public func start(health: HealthRegistry = HealthRegistry()) { workers.forEach { $0.sink.start(health: health) } }

    /// Where flushes go, in configuration order (for the log).
    public var destinationNames: [String] { workers.map(\.sink.name) }

    /// Hands the flush to every destination; returns at once. An empty
    /// flush goes only to destinations holding what their storage refused,
    /// so that it is tried again even when nothing new comes.
    public func consume(_ batch: FlushBatch) {
        for worker in workers where !batch.isEmpty || worker.sink.holdsUnstored { worker.submit(batch) }
    }

    /// Waits for every consumed flush to be stored, then tries once more,
    /// for at most `forwarder_stop_timeout`, to deliver what is pending —
    /// every destination at the same time. All of it within `seconds` (what
    /// the agent's `stop_timeout` leaves): a destination still writing then
    /// is named in the log and left behind.
    public func stop(within seconds: Double = .infinity) async {
        let outer = MonotonicClock.seconds() + seconds
        for worker in workers {
            guard await worker.drain(until: outer) else {
                logger.error("stop: the \(worker.sink.name) destination has not stored every flush within stop_timeout; what it has not stored is lost")
                continue
            }
        }
        // The lanes count in systemUptime.
        let left = max(0, outer - MonotonicClock.seconds())
        let deadline = ProcessInfo.processInfo.systemUptime + min(settings.stopTimeoutSeconds, left)
        // A flush a full disk would not take is tried until the agent's stop_timeout, not only the last send's.
        let storeDeadline = ProcessInfo.processInfo.systemUptime + (left.isFinite ? left : settings.stopTimeoutSeconds)
        await withTaskGroup(of: Void.self) { group in
            for worker in workers {
                group.addTask { await worker.sink.stop(deadline: deadline, storeDeadline: storeDeadline) }
            }
        }
    }

    /// `GET /metrics`; empty when `prometheus_scrape` is off.
    public func prometheusText() -> String { scrape?.render() ?? "" }

    public static let prometheusContentType = PrometheusText.contentType

    // MARK: - Status

    public var statusSectionName: String { "forwarder" }

    public func statusSnapshot() -> JSONValue {
        .object([
            ("database", .string(settings.databasePath)),
            ("destinations", .object(workers.map { ($0.sink.name, $0.statusSnapshot()) })),
        ])
    }
}
