import Dispatch
import Foundation
import GRDB
import Logging
import Synchronization
import VigilConfig
import VigilModel

/// Where every flush leaves the agent. With `dd_url` set, each flush is
/// encoded for Datadog's intake, compressed, stored in the durable outbox
/// and delivered by one sender per endpoint; without it, series go to the
/// local time-series store in the same SQLite file.
public final class Forwarder: FlushSink, StatusReporting {
    public let settings: ForwarderSettings
    public let hostname: String
    private let logger = Logger(label: "vigil.forwarder")
    private let database: DatabasePool
    private let destination: Destination
    private let latest = LatestValues()
    private let builder: PayloadBuilder

    /// Encoding and storing happen here, off the caller's thread, in order.
    private let worker = DispatchQueue(label: "vigil.forwarder.worker")
    private let state = Mutex(State())

    private enum Destination: Sendable {
        case intake(outbox: Outbox, transport: IntakeTransport, senders: [IntakeEndpoint: EndpointSender])
        case local(LocalTimeSeriesStore)
    }

    private struct State: Sendable {
        var queued = 0
        var queueDrops = 0
        /// Flushes lost because they could not be stored (disk full, …).
        var storeFailures = 0
        var skippedPoints = 0
        var localPointsStored = 0
        /// Service checks and events have no home in the local store.
        var localUnstoredItems = 0
        var lastPurge: Int64 = 0
        var senderTasks: [Task<Void, Never>] = []
        var started = false
    }

    public convenience init(config: AgentConfig, hostname: String) throws {
        try self.init(settings: ForwarderSettings(config: config), hostname: hostname)
    }

    public init(settings: ForwarderSettings, hostname: String) throws {
        self.settings = settings
        self.hostname = hostname
        self.builder = PayloadBuilder(limits: settings.limits)
        self.database = try VigilDatabase.open(path: settings.databasePath, logger: logger)
        if let url = settings.ddURL, let key = settings.apiKey {
            let outbox = Outbox(database: database, maxBytes: settings.outboxMaxBytes)
            let transport = IntakeTransport(baseURL: url, apiKey: key, timeoutSeconds: settings.timeoutSeconds)
            var senders: [IntakeEndpoint: EndpointSender] = [:]
            for endpoint in IntakeEndpoint.allCases {
                senders[endpoint] = EndpointSender(endpoint: endpoint, outbox: outbox, transport: transport, builder: builder,
                                                   encoding: settings.encoding(for: endpoint), backoffBase: settings.backoffBase,
                                                   backoffCap: settings.backoffCap, logger: logger)
            }
            destination = .intake(outbox: outbox, transport: transport, senders: senders)
            let pending = outbox.size().values.reduce(0) { $0 + $1.payloads }
            logger.info("forwarding to Datadog intake", metadata: ["dd_url": "\(url)", "pending_payloads": "\(pending)"])
        } else {
            destination = .local(LocalTimeSeriesStore(database: database, retentionSeconds: settings.localRetentionSeconds))
            logger.info("no dd_url: storing series locally", metadata: ["database": "\(settings.databasePath)"])
        }
    }

    public func start() {
        guard case let .intake(_, _, senders) = destination else { return }
        let tasks = senders.values.map { sender in Task { await sender.run() } }
        state.withLock {
            $0.senderTasks = tasks
            $0.started = true
        }
        // Payloads left over from a previous run go out first.
        senders.values.forEach { $0.notify() }
    }

    public func consume(_ batch: FlushBatch) {
        guard !batch.isEmpty else { return }
        let accepted = state.withLock { state -> Bool in
            guard state.queued < settings.queueSize else {
                state.queueDrops += 1
                return false
            }
            state.queued += 1
            return true
        }
        guard accepted else {
            logger.warning("forwarder queue full; flush dropped", metadata: ["queue_size": "\(settings.queueSize)"])
            return
        }
        worker.async { [self] in
            store(batch)
            state.withLock { $0.queued -= 1 }
        }
    }

    /// Waits for every consumed flush to be stored, then tries once more,
    /// for at most `forwarder_stop_timeout`, to deliver what is pending.
    public func stop() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in worker.async { done.resume() } }
        guard case let .intake(_, _, senders) = destination else { return }
        let tasks = state.withLock { state in
            defer { state.senderTasks = [] }
            return state.senderTasks
        }
        tasks.forEach { $0.cancel() }
        for task in tasks { await task.value }
        let deadline = ProcessInfo.processInfo.systemUptime + settings.stopTimeoutSeconds
        await withTaskGroup(of: Void.self) { group in
            for sender in senders.values { group.addTask { await sender.drain(until: deadline) } }
        }
    }

    public func prometheusText() -> String { PrometheusText.render(latest.snapshot(now: WallClock.nowSeconds())) }

    public static let prometheusContentType = PrometheusText.contentType

    // MARK: - Encoding and storing

    private func store(_ batch: FlushBatch) {
        let now = WallClock.nowSeconds()
        let summaries = SketchSummary.series(batch.sketches)
        latest.record(batch.series, now: now)
        latest.record(summaries, now: now)
        switch destination {
        case let .intake(outbox, _, senders):
            storeForIntake(batch, outbox: outbox, senders: senders)
        case let .local(store):
            do {
                let written = try store.write(batch.series + summaries)
                let purgeDue = state.withLock { state -> Bool in
                    state.localPointsStored += written
                    state.localUnstoredItems += batch.serviceChecks.count + batch.events.count
                    guard now - state.lastPurge >= 60 else { return false }
                    state.lastPurge = now
                    return true
                }
                if purgeDue { try store.purge(now: now) }
            } catch {
                state.withLock { $0.storeFailures += 1 }
                logger.error("cannot write to the local store", metadata: ["error": "\(error)"])
            }
        }
    }

    private func storeForIntake(_ batch: FlushBatch, outbox: Outbox, senders: [IntakeEndpoint: EndpointSender]) {
        let encoded = SeriesEncoder.items(batch.series)
        let itemsByEndpoint: [(IntakeEndpoint, [[UInt8]])] = [
            (.series, encoded.items),
            (.sketches, SketchEncoder.items(batch.sketches)),
            (.serviceChecks, ServiceCheckEncoder.items(batch.serviceChecks)),
            (.events, EventEncoder.items(batch.events)),
        ]
        state.withLock { $0.skippedPoints += encoded.skippedPoints }
        for (endpoint, items) in itemsByEndpoint where !items.isEmpty {
            guard let sender = senders[endpoint] else { continue }
            do {
                let built = try builder.build(endpoint, items: items, encoding: sender.currentEncoding)
                let evicted = try outbox.append(built.payloads)
                sender.counters.update { $0.droppedOversized += built.oversizedItems }
                for (evictedEndpoint, count) in evicted {
                    senders[evictedEndpoint]?.counters.update { $0.droppedOutboxFull += count }
                }
                if !evicted.isEmpty {
                    logger.warning("outbox full: oldest payloads dropped",
                                   metadata: ["max_bytes": "\(settings.outboxMaxBytes)", "dropped": "\(evicted.values.reduce(0, +))"])
                }
                sender.notify()
            } catch {
                state.withLock { $0.storeFailures += 1 }
                logger.error("cannot store a payload in the outbox", metadata: ["endpoint": "\(endpoint.rawValue)", "error": "\(error)"])
            }
        }
    }

    // MARK: - Status

    public var statusSectionName: String { "forwarder" }

    public func statusSnapshot() -> JSONValue {
        let s = state.withLock { $0 }
        var fields: [(String, JSONValue)] = [
            ("queue", .object([("pending_flushes", .int(Int64(s.queued))), ("max_flushes", .int(Int64(settings.queueSize))),
                               ("dropped_flushes", .int(Int64(s.queueDrops)))])),
            ("store_failures", .int(Int64(s.storeFailures))),
            ("database", .string(settings.databasePath)),
        ]
        switch destination {
        case let .intake(outbox, _, senders):
            let sizes = outbox.size()
            fields.insert(("mode", "datadog"), at: 0)
            fields.insert(("dd_url", .string(settings.ddURL ?? "")), at: 1)
            fields.append(("skipped_non_finite_points", .int(Int64(s.skippedPoints))))
            fields.append(("outbox_max_bytes", .int(Int64(settings.outboxMaxBytes))))
            fields.append(("endpoints", .object(IntakeEndpoint.allCases.compactMap { endpoint in
                guard let sender = senders[endpoint] else { return nil }
                let c = sender.counters.snapshot
                let size = sizes[endpoint] ?? Outbox.Size(payloads: 0, bytes: 0)
                var entry: [(String, JSONValue)] = [
                    ("path", .string(endpoint.path)),
                    ("sent_payloads", .int(Int64(c.sentPayloads))), ("sent_items", .int(Int64(c.sentItems))),
                    ("sent_bytes", .int(Int64(c.sentBytes))), ("retried", .int(Int64(c.retried))),
                    ("dropped", .int(Int64(c.dropped))), ("dropped_rejected", .int(Int64(c.droppedRejected))),
                    ("dropped_oversized", .int(Int64(c.droppedOversized))), ("dropped_outbox_full", .int(Int64(c.droppedOutboxFull))),
                    ("splits", .int(Int64(c.splits))), ("encoding_fallbacks", .int(Int64(c.encodingFallbacks))),
                    ("outbox_payloads", .int(Int64(size.payloads))),
                    ("outbox_bytes", .int(Int64(size.bytes))), ("encoding", .string(sender.currentEncoding.headerValue)),
                    ("circuit", .string(sender.breakerState.rawValue)),
                ]
                if let error = c.lastError { entry.append(("last_error", .string(error))) }
                return (endpoint.rawValue, .object(entry))
            })))
        case let .local(store):
            fields.insert(("mode", "local"), at: 0)
            fields.append(("points_stored", .int(Int64(s.localPointsStored))))
            fields.append(("retention_seconds", .int(store.retentionSeconds)))
            fields.append(("service_checks_and_events_not_stored", .int(Int64(s.localUnstoredItems))))
        }
        return .object(fields)
    }
}
