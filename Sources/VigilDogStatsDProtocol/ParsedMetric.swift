import VigilAggregation
import VigilModel

/// One metric message, as ranges into its packet.
@frozen
public struct ParsedMetric: BitwiseCopyable {
    public var name = ByteRange.empty
    /// Everything between the first `:` and the first `|`: one or more
    /// values separated by `:` (empty ones skipped), or a set's one member.
    public var values = ByteRange.empty
    public var type = DogStatsDMetricType.gauge
    public var sampleRate = 1.0
    /// The comma-separated tags after `#`; empty when none.
    public var tags = ByteRange.empty
    /// `|T`: unix seconds, or 0 to aggregate by arrival time.
    public var timestamp: Int64 = 0
    /// `|c:`: the client's container id (see `LocalData`); empty for none.
    public var containerID = ByteRange.empty
    /// `|card:`: the client's choice of origin-tag cardinality; nil for the configured one.
    public var cardinality: OriginCardinality?

    @inlinable public init() {}
}
