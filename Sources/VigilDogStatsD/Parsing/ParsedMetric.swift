import VigilAggregation

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
}
