import Foundation
import Logging
import Synchronization

/// Delivers one endpoint's outbox, oldest first, one request at a time:
/// with a single request in flight the breaker's backoff applies to the
/// whole endpoint, so a dead intake sees one probe per backoff period.
final class EndpointSender: Sendable {
    let endpoint: IntakeEndpoint
    let counters = EndpointCounters()
    private let outbox: Outbox
    private let transport: IntakeTransport
    private let builder: PayloadBuilder
    private let logger: Logger
    private let breaker: Mutex<CircuitBreaker>
    /// The encoding new payloads get; moves to deflate after a 415.
    private let encoding: Mutex<ContentEncoding>
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    init(endpoint: IntakeEndpoint, outbox: Outbox, transport: IntakeTransport, builder: PayloadBuilder,
         encoding: ContentEncoding, backoffBase: Double, backoffCap: Double, logger: Logger) {
        self.endpoint = endpoint
        self.outbox = outbox
        self.transport = transport
        self.builder = builder
        self.logger = logger
        self.breaker = Mutex(CircuitBreaker(base: backoffBase, cap: backoffCap))
        self.encoding = Mutex(encoding)
        (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    var currentEncoding: ContentEncoding { encoding.withLock { $0 } }
    var breakerState: CircuitBreaker.State { breaker.withLock { $0.state(at: Date().timeIntervalSince1970) } }

    /// New payloads were stored.
    func notify() { ring.yield() }

    /// Runs until cancelled.
    func run() async {
        var bell = doorbell.makeAsyncIterator()
        while !Task.isCancelled {
            let wait = breaker.withLock { $0.delay(at: Date().timeIntervalSince1970) }
            if wait > 0 {
                try? await Task.sleep(for: .seconds(wait))
                continue
            }
            if await sendNext() == nil {
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
            guard let oldest = try outbox.oldest(endpoint, limit: 1).first else { return nil }
            record = oldest
        } catch {
            logger.error("cannot read the outbox", metadata: ["endpoint": "\(endpoint.rawValue)", "error": "\(error)"])
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
                counters.update {
                    $0.droppedRejected += 1
                    $0.lastError = "HTTP \(status): payload dropped"
                }
                logger.warning("intake refused a payload; dropped",
                               metadata: ["endpoint": "\(endpoint.rawValue)", "status": "\(status)", "items": "\(payload.itemCount)"])
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
                guard payload.encoding != .deflate else {
                    try outbox.remove(record.id)
                    counters.update { $0.droppedRejected += 1; $0.lastError = "HTTP 415 even with deflate: dropped" }
                    return
                }
                encoding.withLock { $0 = .deflate }
                guard let recoded = try? builder.recode(payload, to: .deflate) else {
                    try outbox.remove(record.id)
                    counters.update { $0.droppedRejected += 1; $0.lastError = "stored payload unreadable: dropped" }
                    return
                }
                try outbox.replace(record.id, with: [recoded])
                counters.update { $0.encodingFallbacks += 1 }
                logger.notice("intake refused zstd; falling back to deflate", metadata: ["endpoint": "\(endpoint.rawValue)"])
            case let .retry(reason):
                try outbox.recordAttempt(record.id)
                let backoff = breaker.withLock { $0.recordFailure(at: Date().timeIntervalSince1970) }
                counters.update {
                    $0.retried += 1
                    $0.lastError = reason
                }
                logger.debug("send failed; will retry",
                             metadata: ["endpoint": "\(endpoint.rawValue)", "reason": "\(reason)",
                                        "backoff_s": "\(String(format: "%.1f", backoff))"])
            }
        } catch {
            logger.error("outbox update failed", metadata: ["endpoint": "\(endpoint.rawValue)", "error": "\(error)"])
            breaker.withLock { _ = $0.recordFailure(at: Date().timeIntervalSince1970) }
        }
    }
}
