import Foundation

/// Where the agent keeps what others must not read, and where it puts what
/// others must reach. `run_path` holds the status API's token and the SQLite
/// store, private to the agent's user (0700); the DogStatsD sockets live in a
/// folder of their own (`dogstatsd_socket_dir`, 0755) that a container can
/// mount without seeing anything else.
extension AgentConfig {
    /// `dogstatsd_socket_dir`; by default `dogstatsd` beside the configuration file, like `run_path`'s `run`.
    public var dogstatsdSocketDirectory: String {
        path("dogstatsd_socket_dir") ?? AgentConfig.resolve("dogstatsd", baseDirectory)
    }

    /// The DogStatsD sockets that sit in `run_path`, where a container mounting their
    /// folder would also read the token and every stored series.
    var socketsBesideSecrets: [(key: String, path: String)] {
        var out: [(String, String)] = []
        for key in ["dogstatsd_socket", "dogstatsd_stream_socket"] {
            guard let socket = path(key), string(key) != "" else { continue }
            let folder = (socket as NSString).deletingLastPathComponent
            if folder == runPath || folder.hasPrefix(runPath + "/") { out.append((key, socket)) }
        }
        return out
    }
}

/// Creates and tightens the agent's private folder.
public enum RunFolder {
    /// Makes `path` (mode 0700 when created). An existing folder that other users can
    /// enter is tightened when it is plainly the agent's (its user owns it, it is not
    /// sticky, and it is empty or holds Vigil's own files); otherwise the answer is a
    /// warning to show, since tightening a shared folder would break its other users.
    public static func prepare(_ path: String) throws -> String? {
        var info = stat()
        if stat(path, &info) != 0 {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            chmod(path, 0o700)
            return nil
        }
        let mode = info.st_mode & 0o7777
        guard mode & 0o077 != 0 else { return nil }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let ours = entries.isEmpty || entries.contains("vigil.db") || entries.contains("auth_token")
        if info.st_uid == geteuid(), info.st_mode & S_ISVTX == 0, ours, chmod(path, 0o700) == 0 { return nil }
        return String(format: "run_path %@ is mode %o: other users can reach files in it; make it 0700 and owned by the agent's user",
                      path, mode)
    }
}
