/// What one context gathered during one 10-second window. Plain data, so
/// the hot path updates it in place with no reference counting; what needs
/// heap storage (histogram values, set members, sketches) lives in a
/// `WindowSamples` that the sampler keeps at index `extra`.
struct WindowAccumulator: BitwiseCopyable {
    static let idle = Int64.min

    /// Start of the window, or `idle` when this holds nothing.
    var start = WindowAccumulator.idle
    /// Count: sum of value ÷ sample rate. Gauge: last value.
    var value = 0.0
    /// Histogram/timer: number of samples, weighted by sample rate.
    var weightedCount = 0.0
    /// Index of this window's `WindowSamples`, -1 while it needs none.
    var extra: Int32 = -1
    var type = DogStatsDMetricType.gauge

    @inline(__always) var isIdle: Bool { start == Self.idle }
}

/// The heap-backed part of a window, reused from window to window so that
/// steady-state histograms and sets allocate nothing.
struct WindowSamples {
    var values: [Double] = []
    /// Per-value weight (1 ÷ sample rate); empty while every weight is 1.
    var weights: [Double] = []
    var members: Set<UInt64> = []
    var sketch = DDSketch()

    mutating func append(_ value: Double, weight: Double) {
        // Weights are kept from the first value that needs one (earlier
        // values weigh 1), including when that is the window's first value.
        let weighted = weight != 1 || !weights.isEmpty
        if weighted, weights.count < values.count {
            weights.append(contentsOf: repeatElement(1, count: values.count - weights.count))
        }
        values.append(value)
        if weighted { weights.append(weight) }
    }

    mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
        weights.removeAll(keepingCapacity: true)
        members.removeAll(keepingCapacity: true)
        if !sketch.isEmpty { sketch.removeAll() }
    }
}
