import VigilModel

/// The strings of a DogStatsD context, built once when it is first seen.
/// Only flushes read them; the hot path works on `ContextState`.
struct TimeSamplerContext: Sendable {
    let key: ContextKey
    let name: String
    let tags: [String]
    let host: String
}

/// What the hot path reads and writes per context, besides its windows.
struct ContextState: BitwiseCopyable {
    /// Start of the newest window that received a sample.
    var lastBucket: Int64
    var type: DogStatsDMetricType
}
