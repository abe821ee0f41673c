import Foundation

/// A cgroup made with mkdir for a test — under each v1 controller, or in the
/// v2 unified hierarchy — removed (after its processes are killed) on cleanup.
final class ScratchCgroup {
    static let v1Root = "/sys/fs/cgroup"
    static let v1Controllers = ["cpu", "cpuacct", "memory", "blkio", "pids"]
    static let unifiedRoot = "/sys/fs/cgroup/unified"

    let name: String
    let directories: [String]
    private(set) var pids: [pid_t] = []

    /// True when this machine has the v1 controllers the module reads and we may create cgroups.
    static var v1Available: Bool {
        getuid() == 0 && v1Controllers.allSatisfy { FileManager.default.fileExists(atPath: "\(v1Root)/\($0)/tasks") }
    }

    static var unifiedAvailable: Bool {
        getuid() == 0 && FileManager.default.fileExists(atPath: "\(unifiedRoot)/cgroup.controllers")
    }

    init(v1 name: String) throws {
        self.name = name
        directories = Self.v1Controllers.map { "\(Self.v1Root)/\($0)/\(name)" }
        try directories.forEach { try FileManager.default.createDirectory(atPath: $0, withIntermediateDirectories: true) }
    }

    init(unified name: String) throws {
        self.name = name
        directories = ["\(Self.unifiedRoot)/\(name)"]
        try FileManager.default.createDirectory(atPath: directories[0], withIntermediateDirectories: true)
    }

    deinit { cleanUp() }

    func write(_ controller: String, _ file: String, _ value: String) throws {
        try value.write(toFile: "\(Self.v1Root)/\(controller)/\(name)/\(file)", atomically: false, encoding: .utf8)
    }

    /// Starts `sh -c script` and moves it into every directory of this cgroup.
    @discardableResult
    func spawn(_ script: String) throws -> pid_t {
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", script]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let rc = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
        guard rc == 0 else { throw CocoaError(.fileWriteUnknown) }
        pids.append(pid)
        for dir in directories {
            try "\(pid)\n".write(toFile: "\(dir)/cgroup.procs", atomically: false, encoding: .utf8)
        }
        return pid
    }

    func cleanUp() {
        for pid in pids {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        pids.removeAll()
        for dir in directories {
            // A killed process leaves its cgroup asynchronously; retry briefly.
            for _ in 0..<50 where rmdir(dir) != 0 && errno == EBUSY { usleep(20_000) }
        }
    }
}
