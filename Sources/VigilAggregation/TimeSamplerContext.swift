/// The strings of a DogStatsD context, built once when it is first seen.
struct TimeSamplerContext {
    var name: String
    var tags: [String]
    var host: String
    var type: DogStatsDMetricType
    /// Start of the last bucket that received a sample.
    var lastBucket: Int64
}
