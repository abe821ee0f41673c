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
    /// Payloads the outbox could not take, waiting in memory for the next try.
    private let unstored: Mutex<UnstoredBuffer<Payload>>

    init(outbox: Outbox, senders: [LaneSender], unstoredMaxBytes: Int = 32 << 20, logger: Logger) {
        self.outbox = outbox
        self.senders = senders
        self.logger = logger
        unstored = Mutex(UnstoredBuffer(maxBytes: unstoredMaxBytes))
    }

    func sender(_ lane: String) -> LaneSender? { senders.first { $0.lane == lane } }

    var holdsUnstored: Bool { !unstored.withLock { $0.isEmpty } }

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
        let built: PayloadBuilder.Result
        do {
            built = try sender.build(items)
        } catch {
            sender.counters.update { $0.lastError = "cannot build a payload: \(error)" }
            logger.error("cannot build a payload", metadata: ["lane": "\(lane)", "error": "\(error)"])
            return
        }
        sender.counters.update { $0.droppedOversized += built.oversizedItems }
        storeOrHold(built.payloads)
    }

    /// Stores what waits in memory, then `payloads`, in one transaction.
    /// When the outbox cannot take them (a full disk) they all wait in
    /// memory, within the bound, for the next flush or the stop. True when
    /// nothing is left waiting.
    @discardableResult
    func storeOrHold(_ payloads: [Payload]) -> Bool {
        let retaken = unstored.withLock { $0.take() }
        let pending = retaken + payloads
        guard !pending.isEmpty else { return true }
        do {
            let evicted = try outbox.append(pending)
            for (evictedLane, count) in evicted {
                self.sender(evictedLane)?.counters.update { $0.droppedOutboxFull += count }
            }
            if !evicted.isEmpty {
                logger.warning("outbox full: oldest payloads dropped",
                               metadata: ["max_bytes": "\(outbox.maxBytes)", "dropped": "\(evicted.values.reduce(0, +))"])
            }
            if !retaken.isEmpty {
                unstored.withLock { $0.noteRecovered(retaken.count) }
                logger.notice("stored \(retaken.count) payloads kept in memory while the outbox could not take them")
            }
            for lane in Set(pending.map { $0.lane }) { sender(lane)?.notify() }
            return true
        } catch {
            let (dropped, held, bytes) = unstored.withLock { buffer in
                (buffer.hold(pending) { $0.body.count }, buffer.count, buffer.bytes)
            }
            storeFailures.withLock { $0 += 1 }
            for lane in Set(pending.map { $0.lane }) {
                sender(lane)?.counters.update { $0.lastError = "cannot store payloads (kept in memory): \(error)" }
            }
            logger.error("cannot store payloads in the outbox; kept in memory and tried again with the next flush",
                         metadata: ["error": "\(error)", "held_payloads": "\(held)", "held_bytes": "\(bytes)",
                                    "dropped_oldest": "\(dropped)"])
            return false
        }
    }

    func stop(deadline: Double, storeDeadline: Double) async {
        let running = tasks.withLock { tasks in
            defer { tasks = [] }
            return tasks
        }
        running.forEach { $0.cancel() }
        for task in running { await task.value }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.storeHeld(until: storeDeadline) }
            for sender in senders { group.addTask { await sender.drain(until: deadline) } }
        }
    }

    /// The last flush must not be lost to a disk that is full for a moment:
    /// what waits in memory is tried again every half second until `deadline`
    /// (systemUptime seconds); what is still unstored then is named in the log.
    private func storeHeld(until deadline: Double) async {
        while !unstored.withLock({ $0.isEmpty }) {
            if storeOrHold([]) { return }
            let left = deadline - ProcessInfo.processInfo.systemUptime
            if left <= 0.5 { break }
            try? await Task.sleep(for: .milliseconds(500))
        }
        let (count, bytes) = unstored.withLock { ($0.count, $0.bytes) }
        if count > 0 {
            logger.error("stop: \(count) payloads (\(bytes) bytes) could not be stored before stop_timeout and are lost")
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
        let buffer = unstored.withLock { $0.summary }
        let held: JSONValue = .object([
            ("held_payloads", .int(Int64(buffer.count))), ("held_bytes", .int(Int64(buffer.bytes))),
            ("max_bytes", .int(Int64(buffer.maxBytes))), ("recovered_payloads", .int(Int64(buffer.recovered))),
            ("dropped_payloads", .int(Int64(buffer.dropped))),
        ])
        return [
            ("store_failures", .int(Int64(storeFailures.withLock { $0 }))),
            ("unstored", held),
            ("outbox_max_bytes", .int(Int64(outbox.maxBytes))),
            ("lanes", .object(lanes)),
        ]
    }
}
