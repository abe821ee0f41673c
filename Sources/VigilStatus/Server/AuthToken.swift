import Foundation

/// The status API's shared secret: random, written to
/// `<run_path>/auth_token` readable by its owner only, so only users who
/// can read the agent's run folder can query it.
public enum AuthToken {
    public static func path(runPath: String) -> String { runPath + "/auth_token" }

    /// A fresh token, written (mode 0600) before the server accepts anything.
    static func generate(runPath: String) throws -> String {
        let token = RandomSecret.make()
        try FileManager.default.createDirectory(atPath: runPath, withIntermediateDirectories: true)
        let file = path(runPath: runPath)
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StatusServerError(description: "cannot write \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // O_CREAT's mode does not apply to a file that already existed.
        fchmod(fd, 0o600)
        let bytes = Array(token.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else {
            throw StatusServerError(description: "cannot write \(file): \(String(cString: strerror(errno)))")
        }
        return token
    }

    static func read(runPath: String) throws -> String {
        let file = path(runPath: runPath)
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw StatusClientError.notRunning("cannot read \(file): is the agent running with this configuration (run_path)?")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func matches(_ given: String, _ expected: String) -> Bool { RandomSecret.equal(given, expected) }
}

public struct StatusServerError: Error, CustomStringConvertible {
    public let description: String
}
