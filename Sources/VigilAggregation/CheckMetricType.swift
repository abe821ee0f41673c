/// Metric types a check submits; raw values match `vigil_metric_type`.
public enum CheckMetricType: UInt32, Sendable, CaseIterable {
    case gauge = 0
    case rate = 1
    case count = 2
    case monotonicCount = 3
    case histogram = 4

    public var name: String {
        switch self {
        case .gauge: "gauge"
        case .rate: "rate"
        case .count: "count"
        case .monotonicCount: "monotonic_count"
        case .histogram: "histogram"
        }
    }
}
