/// The metric types of the DogStatsD protocol, by their wire letters.
public enum DogStatsDMetricType: UInt8, Sendable, CaseIterable, BitwiseCopyable {
    case gauge
    case count
    case histogram
    case timer
    case distribution
    case set

    public var wireName: String {
        switch self {
        case .gauge: "g"
        case .count: "c"
        case .histogram: "h"
        case .timer: "ms"
        case .distribution: "d"
        case .set: "s"
        }
    }
}
