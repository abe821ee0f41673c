import Foundation

/// A throw-away containerd for the workload benchmark (stock limits: responses over 16 MiB
/// are refused, as on a real node), with its root on tmpfs so that
/// writing tens of thousands of image records is not bound by fsync.
// ctr calls from several tasks only read immutable state.
final class BenchContainerd: @unchecked Sendable {
    let directory: URL
    let socketPath: String
    private var daemon: Process?
    /// false for a containerd this benchmark did not start: left running, its files kept.
    private let owned: Bool
    /// Set for `--keep-containerd`: the filled containerd outlives the run, for `--socket` runs.
    var keep = false

    /// A containerd already running (filled by an earlier run); never stopped or removed.
    init(existingSocket: String) throws {
        socketPath = existingSocket
        directory = URL(fileURLWithPath: (existingSocket as NSString).deletingLastPathComponent)
        owned = false
        _ = try ctr(["version"])
    }

    init() throws {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : "/tmp"
        directory = URL(fileURLWithPath: "\(base)/vigil-bench-ctd-\(getpid())")
        socketPath = directory.appendingPathComponent("c.sock").path
        owned = true
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = """
            version = 2
            root = "\(directory.path)/root"
            state = "\(directory.path)/state"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "\(socketPath)"
            [ttrpc]
              address = "\(socketPath).ttrpc"
            [plugins."io.containerd.internal.v1.opt"]
              path = "\(directory.path)/opt"
            """
        let configPath = directory.appendingPathComponent("config.toml")
        try config.write(to: configPath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/containerd")
        process.arguments = ["--config", configPath.path, "--log-level", ProcessInfo.processInfo.environment["VIGIL_BENCH_CONTAINERD_LOG_LEVEL"] ?? "warn"]
        // Its log goes next to the benchmark's output when asked (VIGIL_BENCH_CONTAINERD_LOG=path).
        let logPath = ProcessInfo.processInfo.environment["VIGIL_BENCH_CONTAINERD_LOG"]
        if let logPath, FileManager.default.createFile(atPath: logPath, contents: nil),
           let log = FileHandle(forWritingAtPath: logPath) {
            process.standardOutput = log
            process.standardError = log
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        daemon = process
        let deadline = Date().addingTimeInterval(20)
        while (try? ctr(["version"])) == nil {
            guard Date() < deadline, process.isRunning else { stop(); throw BenchError("containerd did not start") }
            usleep(100_000)
        }
    }

    @discardableResult
    func ctr(_ arguments: [String], namespace: String = "bench") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ctr")
        process.arguments = ["-a", socketPath, "-n", namespace] + arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-ctr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try? handle.close()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw BenchError("ctr \(arguments.joined(separator: " ")): \(text.prefix(500))") }
        return text
    }

    func stop() {
        guard owned, !keep else { return }
        if let daemon, daemon.isRunning {
            kill(daemon.processIdentifier, SIGKILL)
            var status: Int32 = 0
            waitpid(daemon.processIdentifier, &status, 0)
        }
        daemon = nil
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
