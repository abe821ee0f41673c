import Foundation
import VigilConfig

/// `cmd_address` as host and port. `[::1]:5001`, `127.0.0.1:5001`,
/// `localhost:5001`; port 0 asks for an ephemeral port.
public struct StatusAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public static let `default` = StatusAddress(host: "127.0.0.1", port: 5001)

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(trimmed[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.init(host: host, port: port)
    }

    public init(config: AgentConfig) throws {
        guard let text = config.string("cmd_address") else {
            self = .default
            return
        }
        guard let parsed = StatusAddress(parsing: text) else {
            throw ConfigError(file: config.file ?? "<defaults>", at: config.value("cmd_address"),
                              "cmd_address: expected HOST:PORT, e.g. 127.0.0.1:5001")
        }
        self = parsed
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
