import Foundation
import Logging
import Synchronization

/// Delivers one lane of the outbox, oldest first, one request at a time:
/// with a single request in flight the breaker's backoff applies to the
/// whole lane, so a dead destination sees one probe per backoff period.
/// Every sink's lanes are delivered by this one type.
final class LaneSender: Sendable {
    let lane: String
    let counters = LaneCounters()
    private let outbox: Outbox
    private let transport: any LaneTransport
    private let builder: PayloadBuilder
    /// Where a 415 sends the lane; nil: a 415 is a refusal like any 4xx.
    private let fallbackEncoding: ContentEncoding?
    private let logger: Logger
    private let breaker: Mutex<CircuitBreaker>
    /// The encoding new payloads get; moves to the fallback after a 415.
    private let encoding: Mutex<ContentEncoding>
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    init(outbox: Outbox, transport: any LaneTransport, builder: PayloadBuilder, encoding: ContentEncoding,
         fallbackEncoding: ContentEncoding? = nil, backoffBase: Double, backoffCap: Double, logger: Logger) {
        self.lane = builder.lane
        self.outbox = outbox
        self.transport = transport
        self.builder = builder
        self.fallbackEncoding = fallbackEncoding
        self.logger = logger
        self.breaker = Mutex(CircuitBreaker(base: backoffBase, cap: backoffCap))
        self.encoding = Mutex(encoding)
        (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    var currentEncoding: ContentEncoding { encoding.withLock { $0 } }
    var breakerState: CircuitBreaker.State { breaker.withLock { $0.state(at: Date().timeIntervalSince1970) } }

    /// The lane's items as payloads in the lane's current encoding.
    func build(_ items: [[UInt8]]) throws -> PayloadBuilder.Result {
        try builder.build(items, encoding: currentEncoding)
    }

    /// New payloads were stored.
    func notify() { ring.yield() }

    /// Runs until cancelled; `health`, when given, hears of every attempt.
    func run(health: LaneHealth? = nil) async {
        var bell = doorbell.makeAsyncIterator()
        while !Task.isCancelled {
            let wait = breaker.withLock { $0.delay(at: Date().timeIntervalSince1970) }
            if wait > 0 {
                health?.heartbeat.waiting()
                try? await Task.sleep(for: .seconds(wait))
                continue
            }
            health?.heartbeat.working()
            let outcome = await sendNext()
            health?.judge(outcome)
            if outcome == nil {
                _ = await bell.next()
            }
        }
    }

    /// For shutdown: sends what is pending until `deadline` (monotonic
    /// seconds), the first failure, or nothing is left. It ignores an open
    /// breaker: this is the last chance, and it costs one probe at most.
    func drain(until deadline: Double) async {
        while ProcessInfo.processInfo.systemUptime < deadline,
              let outcome = await sendNext(timeout: deadline - ProcessInfo.processInfo.systemUptime) {
            if case .retry = outcome { return }
        }
    }

    /// Sends the oldest payload; nil when there was none.
    @discardableResult
    func sendNext(timeout: Double? = nil) async -> DeliveryOutcome? {
        let record: Outbox.Record
        do {
            guard let oldest = try outbox.oldest(lane, limit: 1).first else { return nil }
            record = oldest
        } catch {
            logger.error("cannot read the outbox", metadata: ["lane": "\(lane)", "error": "\(error)"])
            breaker.withLock { _ = $0.recordFailure(at: Date().timeIntervalSince1970) }
            return .retry(reason: "outbox read failed")
        }
        let outcome = await transport.send(record.payload, timeoutSeconds: timeout)
        // A send cut short by shutdown says nothing about the intake.
        if Task.isCancelled, case .retry = outcome { return outcome }
        handle(outcome, for: record)
        return outcome
    }

    private func handle(_ outcome: DeliveryOutcome, for record: Outbox.Record) {
        let payload = record.payload
        do {
            switch outcome {
            case .accepted:
                try outbox.remove(record.id)
                breaker.withLock { $0.recordSuccess() }
                counters.update {
                    $0.sentPayloads += 1
                    $0.sentItems += payload.itemCount
                    $0.sentBytes += payload.body.count
                    $0.lastStatus = "accepted"
                }
            case let .rejected(status):
                try outbox.remove(record.id)
                breaker.withLock { $0.recordSuccess() }
                let hint = transport.hint(forRejection: status).map { " (\($0))" } ?? ""
                counters.update {
                    $0.droppedRejected += 1
                    $0.lastError = "HTTP \(status): payload dropped\(hint)"
                }
                logger.warning("destination refused a payload; dropped\(hint)",
                               metadata: ["lane": "\(lane)", "status": "\(status)", "items": "\(payload.itemCount)"])
            case .tooLarge:
                if let parts = (try? builder.split(payload)) ?? nil {
                    try outbox.replace(record.id, with: parts)
                    counters.update { $0.splits += 1 }
                } else {
                    try outbox.remove(record.id)
                    counters.update {
                        $0.droppedOversized += 1
                        $0.lastError = "HTTP 413 on a payload that cannot be split: dropped"
                    }
                }
            case .unsupportedEncoding:
                guard let fallback = fallbackEncoding, payload.encoding != fallback else {
                    try outbox.remove(record.id)
                    counters.update { $0.droppedRejected += 1; $0.lastError = "HTTP 415 with \(payload.encoding.headerValue): dropped" }
                    return
                }
                encoding.withLock { $0 = fallback }
                guard let recoded = try? builder.recode(payload, to: fallback) else {
                    try outbox.remove(record.id)
                    counters.update { $0.droppedRejected += 1; $0.lastError = "stored payload unreadable: dropped" }
                    return
                }
                try outbox.replace(record.id, with: [recoded])
                counters.update { $0.encodingFallbacks += 1 }
                logger.notice("destination refused \(payload.encoding.headerValue); falling back to \(fallback.headerValue)", metadata: ["lane": "\(lane)"])
            case let .retry(reason, after):
                try outbox.recordAttempt(record.id)
                let backoff = breaker.withLock { $0.recordFailure(at: Date().timeIntervalSince1970, atLeast: after ?? 0) }
                counters.update {
                    $0.retried += 1
                    $0.lastError = reason
                }
                logger.debug("send failed; will retry",
                             metadata: ["lane": "\(lane)", "reason": "\(reason)",
                                        "backoff_s": "\(String(format: "%.1f", backoff))"])
            }
        } catch {
            logger.error("outbox update failed", metadata: ["lane": "\(lane)", "error": "\(error)"])
            breaker.withLock { _ = $0.recordFailure(at: Date().timeIntervalSince1970) }
        }
    }
}
