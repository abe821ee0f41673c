/// One distribution summary in Datadog's sketch form: logarithmic bins with
/// keys and counts, plus exact count, min, max, sum and average.
public struct SketchPoint: Sendable, Hashable {
    public var timestamp: Int64
    public var count: Int64
    public var min: Double
    public var max: Double
    public var sum: Double
    public var average: Double
    /// Bin keys, ascending; parallel to `binCounts`.
    public var keys: [Int32]
    public var binCounts: [UInt32]

    public init(timestamp: Int64, count: Int64, min: Double, max: Double, sum: Double, average: Double,
                keys: [Int32], binCounts: [UInt32]) {
        self.timestamp = timestamp
        self.count = count
        self.min = min
        self.max = max
        self.sum = sum
        self.average = average
        self.keys = keys
        self.binCounts = binCounts
    }
}

public struct SketchSeries: Sendable, Hashable {
    public var name: String
    public var tags: [String]
    public var host: String
    public var interval: Int64
    public var points: [SketchPoint]

    public init(name: String, tags: [String], host: String, interval: Int64, points: [SketchPoint]) {
        self.name = name
        self.tags = tags
        self.host = host
        self.interval = interval
        self.points = points
    }
}
