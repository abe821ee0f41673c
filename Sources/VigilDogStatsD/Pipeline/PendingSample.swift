import VigilAggregation

/// One sample parsed and keyed outside the aggregator's lock, waiting to be
/// added under it. Plain data with ranges into the packet, which stays put
/// until the whole packet has been applied; strings are built from the
/// ranges only for a context the sampler has not seen.
struct PendingSample: BitwiseCopyable {
    var key: UInt64
    var value: Double
    var sampleRate: Double
    /// Set members: the member's hash (the value is unused).
    var memberHash: UInt64
    /// `|T` seconds, 0 for none.
    var timestamp: Int64
    var name: ByteRange
    var tags: ByteRange
    /// The `host:` tag's value; empty for the agent's hostname.
    var host: ByteRange
    /// Index into the packet's declared (`|c:`) origins, -1 for the
    /// packet's own origin.
    var declaredOrigin: Int32
    var type: DogStatsDMetricType
}
