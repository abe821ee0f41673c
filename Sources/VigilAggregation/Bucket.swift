import VigilModel

/// The samples of every context for one 10-second window.
struct Bucket {
    let start: Int64
    var accumulators: [ContextKey: BucketAccumulator]

    init(start: Int64, expectedContexts: Int) {
        self.start = start
        self.accumulators = Dictionary(minimumCapacity: expectedContexts)
    }

    @inline(__always)
    mutating func add(key: ContextKey, type: DogStatsDMetricType, value: Double, sampleRate: Double) {
        accumulators[key, default: BucketAccumulator(type: type)].add(value, sampleRate: sampleRate, as: type)
    }

    @inline(__always)
    mutating func addMember(key: ContextKey, hash: UInt64) {
        accumulators[key, default: BucketAccumulator(type: .set)].addMember(hash)
    }
}
