/// How a flushed series is to be interpreted by its destination, with the
/// numbering of Datadog's v2 series API (`type` field).
public enum SeriesType: Int, Sendable, Codable, CaseIterable {
    case unspecified = 0
    case count = 1
    case rate = 2
    case gauge = 3

    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .count: "count"
        case .rate: "rate"
        case .gauge: "gauge"
        }
    }
}

public struct Point: Sendable, Hashable, Codable {
    /// Unix seconds.
    public var timestamp: Int64
    public var value: Double

    public init(timestamp: Int64, value: Double) {
        self.timestamp = timestamp
        self.value = value
    }
}

/// One metric context with its points, ready to leave the agent.
public struct Series: Sendable, Hashable {
    public var name: String
    public var type: SeriesType
    public var points: [Point]
    /// Sorted and de-duplicated.
    public var tags: [String]
    /// "" when the series has no host.
    public var host: String
    /// Seconds the points cover; used by rates and counts.
    public var interval: Int64
    public var sourceTypeName: String?

    public init(name: String, type: SeriesType, points: [Point], tags: [String], host: String,
                interval: Int64 = 0, sourceTypeName: String? = nil) {
        self.name = name
        self.type = type
        self.points = points
        self.tags = tags
        self.host = host
        self.interval = interval
        self.sourceTypeName = sourceTypeName
    }
}
