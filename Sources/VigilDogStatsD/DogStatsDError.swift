import Foundation

/// Why the DogStatsD server could not be set up or started.
public enum DogStatsDError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(String)
    case notASocket(path: String)
    /// Another live process is bound to the socket path (another agent, most likely).
    case socketInUse(path: String)
    case socket(operation: String, target: String, errno: Int32)

    public var description: String {
        switch self {
        case let .invalidSetting(text): "dogstatsd: \(text)"
        case let .notASocket(path):
            "dogstatsd: \(path) exists and is not a socket; remove it or set dogstatsd_socket to another path"
        case let .socketInUse(path):
            "dogstatsd: another process is listening on \(path) (another agent?); stop it or set dogstatsd_socket_dir to another folder"
        case let .socket(operation, target, code):
            "dogstatsd: \(operation) \(target) failed: \(String(cString: strerror(code)))"
        }
    }
}
