import Foundation

/// A private containerd (plus runc) for end-to-end tests.
///
/// Each harness owns a temporary directory holding containerd's root, state, sockets and
/// config, so several harnesses (and a system containerd) can run side by side. `stop()`
/// (also run by `deinit`) kills every task it finds, deletes every container, stops
/// containerd and its shims, unmounts what is left and removes the directory.
final class ContainerdHarness: @unchecked Sendable {
    struct HarnessError: Error, CustomStringConvertible {
        var description: String
    }

    let namespace: String
    let directory: URL
    var socketPath: String { directory.appendingPathComponent("containerd.sock").path }
    var logPath: String { directory.appendingPathComponent("containerd.log").path }
    var runcRoot: String { directory.appendingPathComponent("runc").path }

    private let lock = NSLock()
    private var daemon: pid_t?
    private var stopped = false

    /// Starts containerd and waits (at most `startTimeout` seconds) until it answers.
    init(namespace: String = "vigil-test", startTimeout: TimeInterval = 30) throws {
        self.namespace = namespace
        // Short path: unix socket paths are limited to 108 bytes.
        directory = URL(fileURLWithPath: "/tmp/vctd-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try writeConfig()
        do {
            try startDaemon(timeout: startTimeout)
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    // MARK: ctr

    /// Runs `ctr -a <socket> -n <namespace> args...` and returns its standard output.
    @discardableResult
    func ctr(_ arguments: [String], namespace: String? = nil, timeout: TimeInterval = 30) throws -> String {
        try Subprocess.run("ctr", ["-a", socketPath, "-n", namespace ?? self.namespace] + arguments,
                           timeout: timeout).stdout
    }

    /// Imports an OCI archive; `--digests` makes containerd add a `name@sha256:` reference next to the tag.
    @discardableResult
    func importImage(archive: URL, baseName: String) throws -> String {
        try ctr(["images", "import", "--base-name", baseName, "--digests", archive.path], timeout: 60)
    }

    /// Runs a detached container (`ctr run -d`). runc keeps its state under the harness directory
    /// (by default it shares /run/containerd/runc with every containerd on the machine).
    func runContainer(id: String, image: String, extraArgs: [String] = [], command: [String] = ["sleep", "3600"]) throws {
        try ctr(["run", "-d", "--runc-root", runcRoot] + extraArgs + [image, id] + command, timeout: 60)
    }

    /// The PID of the container's task, or nil when it has no running task.
    func pid(ofContainer id: String) throws -> Int32? {
        for task in try tasks() where task.id == id && task.pid > 0 { return task.pid }
        return nil
    }

    /// Kills the container's task if any, deletes it, then deletes the container and its snapshot.
    func stopAndDelete(id: String) throws {
        if try tasks().contains(where: { $0.id == id }) {
            _ = try? ctr(["tasks", "kill", "-s", "SIGKILL", id])
            _ = Subprocess.poll(timeout: 10) {
                (try? tasks().first(where: { $0.id == id })?.status) != "RUNNING"
            }
            try ctr(["tasks", "delete", "--force", id])
        }
        try ctr(["containers", "delete", id])
    }

    /// Restarts containerd on the same directories; running tasks survive through their shims.
    func restart(timeout: TimeInterval = 20) throws {
        stopDaemon()
        try startDaemon(timeout: timeout)
    }

    /// Kills containerd only (for tests of what happens while it is down); `restart()` brings it back.
    func stopDaemon() {
        lock.lock()
        let pid = daemon
        daemon = nil
        lock.unlock()
        if let pid { Subprocess.terminate(pid: pid) }
    }

    /// Whether containerd is currently running (it may exit on its own after a bad config).
    var isDaemonRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let pid = daemon else { return false }
        if waitpid(pid, nil, WNOHANG) == 0 { return true }
        daemon = nil  // reaped (or not ours): never signal that pid again
        return false
    }

    // MARK: images

    /// Builds (once per test process and name) an OCI archive holding a busybox-static root file system.
    /// The image config carries the label `vigil.test.image=<name>`, so different names give different image IDs.
    func buildBusyboxImage(named name: String, tag: String = "latest") throws -> URL {
        try BusyboxImageCache.shared.archive(named: name, tag: tag)
    }

    // MARK: stop

    /// Stops everything this harness started. Safe to call more than once.
    func stop() {
        lock.lock()
        if stopped { lock.unlock(); return }
        stopped = true
        lock.unlock()
        let running = isDaemonRunning
        if running {
            for namespace in (try? namespaces()) ?? [namespace] {
                cleanUp(namespace: namespace)
            }
        }
        stopDaemon()
        killShims()
        unmountEverything()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: private

    struct TaskInfo { var id: String; var pid: Int32; var status: String }

    func tasks(namespace: String? = nil) throws -> [TaskInfo] {
        try ctr(["tasks", "list"], namespace: namespace).split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 3 else { return nil }
            return TaskInfo(id: String(fields[0]), pid: Int32(fields[1]) ?? 0, status: String(fields[2]))
        }
    }

    func namespaces() throws -> [String] {
        try ctr(["namespaces", "list", "-q"]).split(separator: "\n").map(String.init)
    }

    private func cleanUp(namespace: String) {
        for task in (try? tasks(namespace: namespace)) ?? [] {
            _ = try? ctr(["tasks", "kill", "-s", "SIGKILL", task.id], namespace: namespace, timeout: 10)
            _ = try? ctr(["tasks", "delete", "--force", task.id], namespace: namespace, timeout: 15)
        }
        let containers = (try? ctr(["containers", "list", "-q"], namespace: namespace, timeout: 10)) ?? ""
        for id in containers.split(separator: "\n") {
            _ = try? ctr(["containers", "delete", String(id)], namespace: namespace, timeout: 15)
        }
    }

    private func writeConfig() throws {
        let root = directory.appendingPathComponent("root").path
        let state = directory.appendingPathComponent("state").path
        let config = """
        version = 2
        root = "\(root)"
        state = "\(state)"
        disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs", \
        "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", \
        "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", \
        "io.containerd.internal.v1.tracing"]

        [grpc]
          address = "\(socketPath)"

        [ttrpc]
          address = "\(socketPath).ttrpc"

        [plugins."io.containerd.internal.v1.opt"]
          path = "\(directory.appendingPathComponent("opt").path)"

        """
        try config.write(to: directory.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
    }

    private func startDaemon(timeout: TimeInterval) throws {
        let pid = try Subprocess.spawn("containerd", ["--config", directory.appendingPathComponent("config.toml").path],
                                       stdoutPath: logPath, stderrPath: logPath)
        lock.lock()
        daemon = pid
        lock.unlock()
        let ready = Subprocess.poll(timeout: timeout, interval: 0.1) {
            guard isDaemonRunning, FileManager.default.fileExists(atPath: socketPath) else { return false }
            return (try? Subprocess.run("ctr", ["-a", socketPath, "version"], timeout: 5)) != nil
        }
        if !ready {
            let tail = ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "<no log file>").suffix(3000)
            let running = isDaemonRunning
            let socketExists = FileManager.default.fileExists(atPath: socketPath)
            let probe = (try? Subprocess.run("ctr", ["-a", socketPath, "version"], timeout: 5, check: false))
            stopDaemon()
            throw HarnessError(description: """
                containerd (pid \(pid)) did not become ready within \(timeout) s: running \(running), \
                socket \(socketExists), ctr version: \(probe.map { "\($0.status) \($0.stderr)" } ?? "failed"); log:
                \(tail)
                """)
        }
    }

    /// Shims outlive containerd by design; ours name our socket on their command line.
    private func killShims() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        for entry in entries {
            guard let pid = Int32(entry), pid != getpid() else { continue }
            guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let arguments = String(decoding: data, as: UTF8.self).split(separator: "\0")
            guard arguments.first?.hasSuffix("containerd-shim-runc-v2") == true ||
                  arguments.first?.contains("containerd-shim") == true else { continue }
            if arguments.contains(where: { $0 == socketPath || $0.hasPrefix(directory.path) }) {
                kill(pid, SIGKILL)
            }
        }
    }

    private func unmountEverything() {
        guard let mountInfo = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return }
        let mountPoints = mountInfo.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let point = String(fields[4])
            return point.hasPrefix(directory.path + "/") ? point : nil
        }
        for point in mountPoints.sorted(by: { $0.count > $1.count }) {
            _ = try? Subprocess.run("umount", ["-l", point], timeout: 10, check: false)
        }
    }
}

/// Busybox OCI archives shared by every harness in the process; removed at exit.
final class BusyboxImageCache: @unchecked Sendable {
    static let shared = BusyboxImageCache()

    private let lock = NSLock()
    private var archives: [String: URL] = [:]
    let directory: URL

    private init() {
        directory = URL(fileURLWithPath: "/tmp/vigil-images-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        BusyboxImageCache.registerCleanup(directory.path)
    }

    func archive(named name: String, tag: String) throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        let key = "\(name):\(tag)"
        if let archive = archives[key] { return archive }
        let archive = try build(name: name, tag: tag)
        archives[key] = archive
        return archive
    }

    private func build(name: String, tag: String) throws -> URL {
        let work = directory.appendingPathComponent("build-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let layout = work.appendingPathComponent("layout").path
        let bundle = work.appendingPathComponent("bundle").path
        let reference = "\(layout):\(tag)"
        try Subprocess.run("umoci", ["init", "--layout", layout])
        try Subprocess.run("umoci", ["new", "--image", reference])
        try Subprocess.run("umoci", ["unpack", "--image", reference, bundle], timeout: 60)
        let bin = "\(bundle)/rootfs/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: "\(bin)/busybox")
        for applet in ["sh", "sleep", "cat", "echo", "ls", "true", "false", "env", "ps", "top", "mkdir", "rm", "dd", "yes"] {
            try FileManager.default.createSymbolicLink(atPath: "\(bin)/\(applet)", withDestinationPath: "busybox")
        }
        try Subprocess.run("umoci", ["repack", "--image", reference, bundle], timeout: 60)
        try Subprocess.run("umoci", ["config", "--image", reference, "--config.cmd", "/bin/sh",
                                     "--config.label", "vigil.test.image=\(name)"])
        let archive = directory.appendingPathComponent("\(name)-\(tag).tar")
        try Subprocess.run("tar", ["-C", layout, "-cf", archive.path, "."], timeout: 60)
        return archive
    }

    private nonisolated(unsafe) static var cleanupPath: String?

    private static func registerCleanup(_ path: String) {
        cleanupPath = path
        atexit {
            if let path = BusyboxImageCache.cleanupPath { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}
