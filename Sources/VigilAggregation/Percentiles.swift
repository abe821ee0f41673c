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

    /// With a weight per value (1 ÷ sample rate), as the Agent does: each
    /// value counts as often as it stood for in the average and the
    /// percentiles. Sorts `values` in place (with their weights); nil when
    /// empty. Empty `weights` means every weight is 1.
    public static func summary(_ values: inout [Double], weights: [Double]) -> HistogramSummary? {
        if weights.isEmpty { return summary(&values) }
        guard !values.isEmpty, weights.count == values.count else { return nil }
        let pairs = zip(values, weights).sorted { $0.0 < $1.0 }
        var total = 0.0, sum = 0.0
        for (v, w) in pairs {
            total += w
            sum += v * w
        }
        func rank(_ q: Double) -> Double {
            let wanted = q * total
            var seen = 0.0
            for (v, w) in pairs {
                seen += w
                if seen >= wanted { return v }
            }
            return pairs[pairs.count - 1].0
        }
        values = pairs.map(\.0)
        return HistogramSummary(average: sum / total, max: pairs[pairs.count - 1].0, median: rank(0.5), p95: rank(0.95),
                                count: values.count)
    }

    /// The smallest value with at least q of the values at or below it.
    public static func nearestRank(sorted: [Double], _ q: Double) -> Double {
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
    }
}
