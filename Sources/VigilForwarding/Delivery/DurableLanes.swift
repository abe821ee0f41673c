import Foundation
import Logging
import Synchronization
import VigilModel

/// A destination's lanes: its share of the outbox and one sender per lane.
/// Sinks store built payloads here and never wait on the network: senders
/// deliver in the background, each lane with its own breaker.
final class DurableLanes: Sendable {
    let outbox: Outbox
    /// In the order status lists them.
    let senders: [LaneSender]
    private let logger: Logger
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let storeFailures = Mutex(0)

    init(outbox: Outbox, senders: [LaneSender], logger: Logger) {
        self.outbox = outbox
        self.senders = senders
        self.logger = logger
    }

    func sender(_ lane: String) -> LaneSender? { senders.first { $0.lane == lane } }

    var pendingPayloads: Int { outbox.size().values.reduce(0) { $0 + $1.payloads } }

    /// `deadline`: how long payloads may wait undelivered (and an attempt may run)
    /// before a lane makes the agent not ready.
    func start(health: HealthRegistry, deadline: Double) {
        let started = senders.map { sender in
            let lane = LaneHealth(heartbeat: health.register("forwarder.\(sender.lane)", deadline: deadline, role: .readiness))
            return Task { await sender.run(health: lane) }
        }
        tasks.withLock { $0 = started }
        // Payloads left over from a previous run go out first.
        senders.forEach { $0.notify() }
    }

    /// Builds `items` into payloads for `lane` and stores them; counts what
    /// could not be stored or was evicted to stay within the bound.
    func store(_ items: [[UInt8]], lane: String) {
        guard !items.isEmpty, let sender = sender(lane) else { return }
        do {
            let built = try sender.build(items)
            let evicted = try outbox.append(built.payloads)
            sender.counters.update { $0.droppedOversized += built.oversizedItems }
            for (evictedLane, count) in evicted {
                self.sender(evictedLane)?.counters.update { $0.droppedOutboxFull += count }
            }
            if !evicted.isEmpty {
                logger.warning("outbox full: oldest payloads dropped",
                               metadata: ["lane": "\(lane)", "max_bytes": "\(outbox.maxBytes)",
                                          "dropped": "\(evicted.values.reduce(0, +))"])
            }
            sender.notify()
        } catch {
            storeFailures.withLock { $0 += 1 }
            sender.counters.update { $0.lastError = "cannot store a payload: \(error)" }
            logger.error("cannot store a payload in the outbox", metadata: ["lane": "\(lane)", "error": "\(error)"])
        }
    }

    func stop(deadline: Double) async {
        let running = tasks.withLock { tasks in
            defer { tasks = [] }
            return tasks
        }
        running.forEach { $0.cancel() }
        for task in running { await task.value }
        await withTaskGroup(of: Void.self) { group in
            for sender in senders { group.addTask { await sender.drain(until: deadline) } }
        }
    }

    /// Per lane: sent, retried, dropped (by cause), queued payloads and
    /// bytes, breaker state, last error.
    func statusSnapshot() -> [(String, JSONValue)] {
        let sizes = outbox.size()
        let lanes: [(String, JSONValue)] = senders.map { sender in
            let c = sender.counters.snapshot
            let size = sizes[sender.lane] ?? Outbox.Size(payloads: 0, bytes: 0)
            var entry: [(String, JSONValue)] = [
                ("sent_payloads", .int(Int64(c.sentPayloads))), ("sent_items", .int(Int64(c.sentItems))),
                ("sent_bytes", .int(Int64(c.sentBytes))), ("retried", .int(Int64(c.retried))),
                ("dropped", .int(Int64(c.dropped))), ("dropped_rejected", .int(Int64(c.droppedRejected))),
                ("dropped_oversized", .int(Int64(c.droppedOversized))), ("dropped_outbox_full", .int(Int64(c.droppedOutboxFull))),
                ("splits", .int(Int64(c.splits))), ("encoding_fallbacks", .int(Int64(c.encodingFallbacks))),
                ("outbox_payloads", .int(Int64(size.payloads))), ("outbox_bytes", .int(Int64(size.bytes))),
                ("encoding", .string(sender.currentEncoding.headerValue)), ("circuit", .string(sender.breakerState.rawValue)),
            ]
            if let error = c.lastError { entry.append(("last_error", .string(error))) }
            return (sender.lane, .object(entry))
        }
        return [
            ("store_failures", .int(Int64(storeFailures.withLock { $0 }))),
            ("outbox_max_bytes", .int(Int64(outbox.maxBytes))),
            ("lanes", .object(lanes)),
        ]
    }
}
