import Foundation

extension SketchPoint {
    /// The q-quantile (0...1) estimated from the bins, for destinations that
    /// take percentiles instead of sketches. Interpolates inside the bin that
    /// holds the wanted rank, as the Agent does, and clamps to [min, max].
    public func quantile(_ q: Double) -> Double {
        guard count > 0, !keys.isEmpty else { return .nan }
        if q <= 0 { return min }
        if q >= 1 { return max }
        var total: Double = 0
        for n in binCounts { total += Double(n) }
        let wanted = (q * (total - 1)).rounded(.toNearestOrEven)
        var seen: Double = 0
        for (i, key) in keys.enumerated() {
            let n = Double(binCounts[i])
            seen += n
            if seen <= wanted { continue }
            let weight = (seen - wanted) / n
            var low = DDSketchMapping.lowerBound(key: key)
            var high = low * DDSketchMapping.gamma
            if key < 0 { high = low / DDSketchMapping.gamma }
            if i == 0 { low = min }
            if i == keys.count - 1 { high = max }
            let estimate = low * weight + high * (1 - weight)
            return Swift.min(Swift.max(estimate, min), max)
        }
        return max
    }
}
