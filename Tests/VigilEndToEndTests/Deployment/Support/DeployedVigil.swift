import Foundation

/// The Vigil image run as deploy/kubernetes/daemonset.yaml runs it, in a
/// test's private containerd: the host's PID namespace; the host's /proc and
/// cgroup hierarchy read-only under /host; containerd's socket read-only at
/// its usual path; the DogStatsD socket folder and the private run folder as
/// bind mounts of host folders (the hostPaths); a read-only root file system;
/// no capability but CAP_SYS_PTRACE.
final class DeployedVigil: @unchecked Sendable {
    static let containerID = "vigil-agent"
    /// containerd 1.6's default set; its ctr has no `--cap-drop ALL`, so each is dropped by name.
    static let defaultCapabilities = [
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP",
        "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
    ]
    static let hostname = "deploy-node"

    let harness: ContainerdHarness
    /// Host folder standing for the node: the hostPaths live under it.
    let nodeDirectory: String
    /// hostPath /var/run/datadog: shared with application containers.
    var socketDirectory: String { nodeDirectory + "/datadog" }
    /// hostPath /var/lib/vigil: run_path, private.
    var runDirectory: String { nodeDirectory + "/vigil" }
    var logPath: String { nodeDirectory + "/vigil.log" }
    private var execCount = 0

    init(harness: ContainerdHarness, nodeDirectory: String) throws {
        self.harness = harness
        self.nodeDirectory = nodeDirectory
        // The kubelet makes DirectoryOrCreate hostPaths 0755, root-owned.
        for folder in [socketDirectory, runDirectory, nodeDirectory + "/tmp"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
        }
    }

    func start() throws {
        var options = ["--read-only", "--log-uri", "file://\(logPath)",
                       // hostPID: true
                       "--with-ns", "pid:/proc/\(getpid())/ns/pid",
                       "--env", "VIGIL_HOSTNAME=\(Self.hostname)",
                       // Only to keep the test short: points reach the local store every 2 s, not 15.
                       "--env", "VIGIL_FLUSH_INTERVAL=2",
                       "--mount", "type=bind,src=/proc,dst=/host/proc,options=rbind:ro",
                       "--mount", "type=bind,src=/sys/fs/cgroup,dst=/host/sys/fs/cgroup,options=rbind:ro",
                       "--mount", "type=bind,src=\(harness.socketPath),dst=/run/containerd/containerd.sock,options=rbind:ro",
                       "--mount", "type=bind,src=\(socketDirectory),dst=/var/run/datadog,options=rbind:rw",
                       "--mount", "type=bind,src=\(runDirectory),dst=/var/lib/vigil,options=rbind:rw",
                       "--mount", "type=bind,src=\(nodeDirectory)/tmp,dst=/tmp,options=rbind:rw",
                       "--cap-add", "CAP_SYS_PTRACE"]
        for capability in Self.defaultCapabilities { options += ["--cap-drop", "CAP_\(capability)"] }
        // No command: the image's entrypoint and cmd, `vigil run -c /etc/vigil/vigil.yaml`.
        try harness.runContainer(id: Self.containerID, image: VigilImage.reference, extraArgs: options, command: [])
    }

    /// Stops the agent's task as the kubelet would (SIGTERM), then starts a new one in the same container.
    /// Returns whether SIGTERM alone stopped it within `grace` seconds.
    func restart(grace: TimeInterval = 20) throws -> Bool {
        try harness.ctr(["tasks", "kill", "-s", "SIGTERM", Self.containerID])
        let stopped = Subprocess.poll(timeout: grace, interval: 0.2) {
            (try? harness.tasks().first { $0.id == Self.containerID }?.status) == "STOPPED"
        }
        if !stopped { _ = try? harness.ctr(["tasks", "kill", "-s", "SIGKILL", Self.containerID]) }
        _ = Subprocess.poll(timeout: 10, interval: 0.2) {
            (try? harness.tasks().first { $0.id == Self.containerID }?.status) == "STOPPED"
        }
        try harness.ctr(["tasks", "delete", Self.containerID])
        try harness.ctr(["tasks", "start", "-d", "--log-uri", "file://\(logPath)", Self.containerID], timeout: 60)
        return stopped
    }

    var pid: Int32? { try? harness.pid(ofContainer: Self.containerID) }

    /// Runs a command inside the agent's container (`ctr tasks exec`), with the container's user,
    /// capabilities and environment, as `kubectl exec` and exec probes do.
    func exec(_ command: [String], timeout: TimeInterval = 30) throws -> Subprocess.Result {
        execCount += 1
        return try Subprocess.run("ctr", ["-a", harness.socketPath, "-n", harness.namespace, "tasks", "exec",
                                          "--exec-id", "t\(execCount)-\(getpid())", Self.containerID] + command,
                                  timeout: timeout, check: false)
    }

    /// The DaemonSet's liveness probe command; true when it succeeds.
    func probe() -> Bool {
        (try? exec(["/usr/bin/vigil", "health", "--live", "-c", "/etc/vigil/vigil.yaml"]))?.status == 0
    }

    struct Series: CustomStringConvertible {
        var tags: [String]
        var host: String
        var values: [Double]
        var description: String { "\(host) \(tags) \(values)" }
    }

    /// `vigil query METRIC --json` inside the container: what the agent stored in its local store.
    func query(_ metric: String, tags: [String] = []) -> [Series] {
        let arguments = ["/usr/bin/vigil", "query", "-c", "/etc/vigil/vigil.yaml", metric, "--since", "10m", "--json"]
            + tags.flatMap { ["--tag", $0] }
        guard let result = try? exec(arguments), result.status == 0,
              let list = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] else {
            return []
        }
        return list.map { entry in
            let points = (entry["points"] as? [[Any]]) ?? []
            return Series(tags: (entry["tags"] as? [String]) ?? [], host: (entry["host"] as? String) ?? "",
                          values: points.compactMap { $0.last.flatMap(Self.number) })
        }
    }

    /// JSON numbers as Foundation hands them over on Linux (NSNumber, or Swift numbers).
    private static func number(_ value: Any) -> Double? {
        if let number = value as? NSNumber { return number.doubleValue }
        if let double = value as? Double { return double }
        if let int = value as? Int { return Double(int) }
        return nil
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)).map { String($0.suffix(4000)) } ?? "<no log>" }
}
