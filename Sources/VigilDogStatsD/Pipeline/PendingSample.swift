import VigilAggregation
import VigilDogStatsDProtocol

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
    /// The `host:` tag's value, when `hostFromTag`; else the agent's hostname.
    var host: ByteRange
    var hostFromTag: Bool
    /// Index into the packet's declared origins (`|c:`, `|card:`), -1 for
    /// the packet's own origin.
    var declaredOrigin: Int32
    /// Index into the same list of the pod named by `dd.internal.entity_id:`, -1 for none.
    var podOrigin: Int32
    /// Index into the packet's mapped names (`dogstatsd_mapper_profiles`), -1 when the name is the packet's.
    var mapped: Int32
    /// Prefixes the name gets (namespace, distribution copy); empty for none.
    var namePrefix: MetricNamer.Prefix
    var type: DogStatsDMetricType
}
