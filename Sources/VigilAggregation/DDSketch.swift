import VigilModel

/// A distribution summary with Datadog's sketch mapping: exact count, min,
/// max and sum; quantiles within 1/128 relative error. Bins live in a
/// dictionary while samples arrive and are sorted only when a point is made.
public struct DDSketch: Sendable {
    public private(set) var count: Int64 = 0
    public private(set) var min = Double.infinity
    public private(set) var max = -Double.infinity
    public private(set) var sum = 0.0
    /// Σ value × whole weight: the average's numerator. It differs from
    /// `sum` only for sampled values, whose sum counts 1 ÷ rate unrounded (as
    /// the reference's sketch summary does) while counts and the average use
    /// the whole weight.
    private var weightedSum = 0.0
    private var bins: [Int32: UInt32] = [:]

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// Forgets every value, keeping the bins' storage for the next window.
    public mutating func removeAll() {
        count = 0
        min = .infinity
        max = -.infinity
        sum = 0
        weightedSum = 0
        bins.removeAll(keepingCapacity: true)
    }

    /// Adds `value` as if it had been seen `weight` times (sample rates);
    /// `sumWeight` (default: `weight`) is what it adds to `sum`.
    public mutating func insert(_ value: Double, weight: UInt32 = 1, sumWeight: Double? = nil) {
        guard value.isFinite, weight > 0 else { return }
        count += Int64(weight)
        sum += value * (sumWeight ?? Double(weight))
        weightedSum += value * Double(weight)
        if value < min { min = value }
        if value > max { max = value }
        let key = DDSketchMapping.key(value)
        bins[key, default: 0] &+= weight
    }

    /// The point to ship, with bins sorted by key and trimmed to the Agent's
    /// bin limit (the lowest keys are folded into the first one kept).
    public func point(timestamp: Int64) -> SketchPoint {
        var sorted = bins.sorted { $0.key < $1.key }
        if sorted.count > DDSketchMapping.binLimit {
            let excess = sorted.count - DDSketchMapping.binLimit
            var folded: UInt64 = 0
            for bin in sorted[..<excess] { folded += UInt64(bin.value) }
            sorted.removeFirst(excess)
            sorted[0].value = UInt32(clamping: UInt64(sorted[0].value) + folded)
        }
        return SketchPoint(timestamp: timestamp, count: count, min: min, max: max, sum: sum,
                           average: count > 0 ? weightedSum / Double(count) : 0,
                           keys: sorted.map(\.key), binCounts: sorted.map(\.value))
    }
}
