/// The summary Datadog reports for histograms: avg, max, median, 95th
/// percentile and count, with nearest-rank percentiles.
public struct HistogramSummary: Sendable, Equatable {
    public var average: Double
    public var max: Double
    public var median: Double
    public var p95: Double
    public var count: Int
}

public enum Percentiles {
    /// Sorts `values` in place; nil when empty.
    public static func summary(_ values: inout [Double]) -> HistogramSummary? {
        guard !values.isEmpty else { return nil }
        values.sort()
        var sum = 0.0
        for v in values { sum += v }
        return HistogramSummary(average: sum / Double(values.count), max: values[values.count - 1],
                                median: nearestRank(sorted: values, 0.5), p95: nearestRank(sorted: values, 0.95),
                                count: values.count)
    }

    /// The smallest value with at least q of the values at or below it.
    public static func nearestRank(sorted: [Double], _ q: Double) -> Double {
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
    }
}
