import VigilModel

/// The strings of a DogStatsD context, built once when it is first seen.
/// Only flushes read them; the hot path works on `ContextState`.
struct TimeSamplerContext: Sendable {
    let key: ContextKey
    let name: String
    let tags: [String]
    let host: String
    /// Who sent it, for the per-origin bound (0: unknown).
    let origin: UInt64
}

/// How many DogStatsD contexts may be live at once: in all, and per origin
/// (a container, else a process), so that one sender that makes up names
/// cannot take every context from the others.
public struct ContextLimits: Sendable, Equatable {
    public var total: Int
    public var perOrigin: Int

    public init(total: Int = Int.max, perOrigin: Int = Int.max) {
        self.total = max(1, total)
        self.perOrigin = max(1, min(perOrigin, self.total))
    }
}

/// Samples the sampler refused, by reason.
public struct ContextDrops: Sendable, Equatable {
    /// A new context while `dogstatsd_context_limit` contexts were live.
    public var contextLimit = 0
    /// A new context from an origin holding its whole share.
    public var originLimit = 0
    /// A `|T` sample while the flush's wait list was full.
    public var timestampedLimit = 0

    public init() {}
}

/// What the hot path reads and writes per context, besides its windows.
struct ContextState: BitwiseCopyable {
    /// Start of the newest window that received a sample.
    var lastBucket: Int64
    var type: DogStatsDMetricType
}
