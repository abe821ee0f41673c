import Dispatch
import Logging
import Synchronization
import VigilModel

/// One destination's own thread of work: flushes wait here, bounded, and
/// are written one after another, so a slow destination (a local store on
/// a slow disk, a huge encode) delays only itself. A full queue drops the
/// flush for this destination only, and counts it.
final class SinkWorker: Sendable {
    let sink: any Sink
    let capacity: Int
    private let queue: DispatchQueue
    private let logger: Logger

    private struct Counters {
        var pending = 0
        var dropped = 0
        var written = 0
        var lastWriteMilliseconds = 0.0
    }

    private let counters = Mutex(Counters())

    init(sink: any Sink, capacity: Int, logger: Logger) {
        self.sink = sink
        self.capacity = capacity
        self.logger = logger
        queue = DispatchQueue(label: "vigil.forwarder.\(sink.name)")
    }

    func submit(_ batch: FlushBatch) {
        let accepted = counters.withLock { c -> Bool in
            guard c.pending < capacity else {
                c.dropped += 1
                return false
            }
            c.pending += 1
            return true
        }
        guard accepted else {
            logger.warning("destination queue full; flush dropped for it",
                           metadata: ["destination": "\(sink.name)", "queue_size": "\(capacity)"])
            return
        }
        queue.async { [self] in
            let started = ContinuousClock.now
            sink.write(batch)
            let elapsed = ContinuousClock.now - started
            counters.withLock {
                $0.pending -= 1
                $0.written += 1
                $0.lastWriteMilliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
            }
        }
    }

    /// Returns once every submitted flush is written, or at `deadline`
    /// (monotonic seconds) if that comes first: false then.
    @discardableResult
    func drain(until deadline: Double = .infinity) async -> Bool {
        let once = Once()
        return await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            queue.async { if once.claim() { done.resume(returning: true) } }
            let wait = deadline - MonotonicClock.seconds()
            if wait.isFinite {
                DispatchQueue.global().asyncAfter(deadline: .now() + max(0, wait)) {
                    if once.claim() { done.resume(returning: false) }
                }
            }
        }
    }

    private final class Once: Sendable {
        private let taken = Atomic<Bool>(false)
        func claim() -> Bool { !taken.exchange(true, ordering: .acquiringAndReleasing) }
    }

    func statusSnapshot() -> JSONValue {
        let c = counters.withLock { $0 }
        let queueFields: JSONValue = .object([
            ("pending_flushes", .int(Int64(c.pending))), ("max_flushes", .int(Int64(capacity))),
            ("dropped_flushes", .int(Int64(c.dropped))), ("written_flushes", .int(Int64(c.written))),
            ("last_write_ms", .double((c.lastWriteMilliseconds * 10).rounded() / 10)),
        ])
        guard case let .object(fields) = sink.statusSnapshot() else { return .object([("queue", queueFields)]) }
        return .object([("queue", queueFields)] + fields)
    }
}
