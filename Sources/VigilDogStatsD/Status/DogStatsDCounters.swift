import Synchronization
import VigilDogStatsDProtocol
import VigilModel

/// Server-wide counters; listeners have their own `ListenerCounters`.
final class DogStatsDCounters: Sendable {
    /// Indexed by `ParseErrorReason.rawValue`; errors are rare, a lock is fine.
    private let parseErrors = Mutex([Int](repeating: 0, count: ParseErrorReason.allCases.count))
    let originHits = Atomic<Int>(0)
    let originMisses = Atomic<Int>(0)
    /// Packets whose sender PID read as 0: the sender lives in a PID
    /// namespace this process cannot see, so its container is unknown.
    let pidZero = Atomic<Int>(0)
    /// Messages naming a pod (`dd.internal.entity_id:`) the tagger does not know.
    let entityIDUnresolved = Atomic<Int>(0)
    /// Metrics dropped by `metric_filterlist`.
    let filteredMetrics = Atomic<Int>(0)
    /// Metric messages dropped for more client tags than `dogstatsd_tags_per_sample_limit`.
    let tooManyTags = Atomic<Int>(0)
    /// Metric messages dropped for a tag longer than `dogstatsd_tag_length_limit` bytes.
    let tagTooLong = Atomic<Int>(0)

    init() {}

    @inline(__always)
    func count(_ reason: ParseErrorReason) {
        parseErrors.withLock { $0[reason.rawValue] += 1 }
    }

    func parseErrorCount(_ reason: ParseErrorReason) -> Int {
        parseErrors.withLock { $0[reason.rawValue] }
    }

    /// Refused messages by reason (`dropsMessage`), or ignored fields of kept ones.
    func json(droppingMessage: Bool) -> JSONValue {
        .object(ParseErrorReason.allCases.filter { $0.dropsMessage == droppingMessage }.compactMap { reason in
            let n = parseErrorCount(reason)
            return n == 0 ? nil : (reason.name, .int(Int64(n)))
        })
    }
}
