/// A configuration problem, always pointing at the file and position that
/// caused it so the message reads `file:line:column: reason`.
public struct ConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var reason: String

    public init(file: String, line: Int, column: Int, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    public init(file: String, at node: ConfigNode?, _ reason: String) {
        self.init(file: file, line: node?.line ?? 1, column: node?.column ?? 1, reason: reason)
    }

    public var description: String { "\(file):\(line):\(column): \(reason)" }
}
