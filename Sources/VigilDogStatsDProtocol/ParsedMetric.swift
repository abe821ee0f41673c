import VigilAggregation
import VigilModel

/// One metric message, as ranges into its packet.
struct ParsedMetric {
    var name = ByteRange.empty
    /// One or more values separated by `:`.
    var values = ByteRange.empty
    var type = DogStatsDMetricType.gauge
    var sampleRate = 1.0
    /// The comma-separated tags after `#`; empty when none.
    var tags = ByteRange.empty
    /// `|T`: unix seconds, or nil to aggregate by arrival time.
    var timestamp: Int64?
    /// `|c:`: the client's container id.
    var containerID = ByteRange.empty
    /// `|card:`: the client's choice of origin-tag cardinality; nil for the configured one.
    var cardinality: OriginCardinality?
}

/// How many origin tags a message asks for (`|card:`): none at all, or
/// the tagger's tags at a cardinality.
enum OriginCardinality: Equatable {
    case none
    case tags(TagCardinality)

    init?(_ buf: UnsafeRawBufferPointer, _ r: ByteRange) {
        if buf.equals("none", in: r) { self = .none }
        else if buf.equals("low", in: r) { self = .tags(.low) }
        else if buf.equals("orchestrator", in: r) || buf.equals("orch", in: r) { self = .tags(.orchestrator) }
        else if buf.equals("high", in: r) { self = .tags(.high) }
        else { return nil }
    }
}
