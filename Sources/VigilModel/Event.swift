public struct Event: Sendable, Hashable {
    public enum Priority: String, Sendable { case normal, low }
    public enum AlertType: String, Sendable { case info, warning, error, success }

    public var title: String
    public var text: String
    /// Unix seconds.
    public var timestamp: Int64
    public var host: String
    public var tags: [String]
    public var priority: Priority
    public var alertType: AlertType
    public var aggregationKey: String?
    public var sourceTypeName: String?

    public init(title: String, text: String, timestamp: Int64, host: String, tags: [String],
                priority: Priority = .normal, alertType: AlertType = .info,
                aggregationKey: String? = nil, sourceTypeName: String? = nil) {
        self.title = title
        self.text = text
        self.timestamp = timestamp
        self.host = host
        self.tags = tags
        self.priority = priority
        self.alertType = alertType
        self.aggregationKey = aggregationKey
        self.sourceTypeName = sourceTypeName
    }
}
