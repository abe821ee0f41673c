/// What one context gathered during one 10-second bucket. A plain value
/// type so that updating it inside the bucket's dictionary happens in place;
/// only histograms, sets and distributions own heap storage, and only once
/// they receive samples.
struct BucketAccumulator {
    var type: DogStatsDMetricType
    /// Count: sum of value ÷ sample rate. Gauge: last value.
    var value = 0.0
    /// Histogram/timer: number of samples, weighted by sample rate.
    var weightedCount = 0.0
    var samples: [Double] = []
    var members: Set<UInt64> = []
    var sketch = DDSketch()

    init(type: DogStatsDMetricType) { self.type = type }

    /// A context that changes type starts over, as the Agent does.
    @inline(__always)
    mutating func add(_ sample: Double, sampleRate: Double, as newType: DogStatsDMetricType) {
        if newType != type { self = BucketAccumulator(type: newType) }
        switch type {
        case .gauge:
            value = sample
        case .count:
            value += sample / sampleRate
        case .histogram, .timer:
            samples.append(sample)
            weightedCount += 1 / sampleRate
        case .distribution:
            sketch.insert(sample, weight: UInt32(Swift.max(1, (1 / sampleRate).rounded())))
        case .set:
            // Sets receive member hashes through `addMember`.
            break
        }
    }

    @inline(__always)
    mutating func addMember(_ hash: UInt64) {
        if type != .set { self = BucketAccumulator(type: .set) }
        members.insert(hash)
    }
}
