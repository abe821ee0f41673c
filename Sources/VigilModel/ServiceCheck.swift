public enum ServiceCheckStatus: Int, Sendable, Codable {
    case ok = 0, warning = 1, critical = 2, unknown = 3
}

public struct ServiceCheck: Sendable, Hashable {
    public var name: String
    public var status: ServiceCheckStatus
    public var tags: [String]
    public var host: String
    /// Unix seconds.
    public var timestamp: Int64
    public var message: String

    public init(name: String, status: ServiceCheckStatus, tags: [String], host: String,
                timestamp: Int64, message: String = "") {
        self.name = name
        self.status = status
        self.tags = tags
        self.host = host
        self.timestamp = timestamp
        self.message = message
    }
}
