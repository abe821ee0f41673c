import Foundation
import Testing

/// The cgroup check through the agent's loader, store and tagger, on real
/// containers run by a private containerd + runc (cgroup v1 on this machine).
/// Each test does its blocking work on a thread of its own (see onOwnThread)
/// and returns what it saw; the expectations run in the test's own task.
@Suite(.serialized)
struct CgroupContainerTests {
    static let namespace = "vigil-cg-e2e"
    static let image = "docker.io/library/cgbox:latest"

    static var canRun: Bool {
        getuid() == 0 && FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/tasks")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/containerd")
    }

    /// Starts containerd and an agent with the cgroup check, runs `body`, cleans up.
    static func withAgent<T: Sendable>(_ body: @escaping @Sendable (ContainerdHarness, ContainerCheckAgent) throws -> T) async throws -> T {
        try await onOwnThread {
            let harness = try ContainerdHarness(namespace: namespace)
            defer { harness.stop() }
            try harness.importImage(archive: try harness.buildBusyboxImage(named: "cgbox"), baseName: "docker.io/library/cgbox")
            let agent = try ContainerCheckAgent(containerdSocket: harness.socketPath, checks: ["cgroup": "min_collection_interval: 15"])
            defer { agent.stop() }
            return try body(harness, agent)
        }
    }

    @Test(.enabled(if: canRun), .timeLimit(.minutes(2)))
    func memoryLimitCPUQuotaAndThrottling() async throws {
        let tags = ["container_id:busy", "short_image:cgbox"]
        let (running, first, second) = try await Self.withAgent { harness, agent in
            try harness.runContainer(id: "busy", image: Self.image,
                                     extraArgs: ["--memory-limit", "67108864", "--cpu-quota", "10000", "--cpu-period", "100000"],
                                     command: ["sh", "-c", "while :; do :; done"])
            let running = agent.waitForRunning("busy")
            let first = try agent.run("cgroup")
            Thread.sleep(forTimeInterval: 2)
            return (running, first, try agent.run("cgroup"))
        }
        #expect(running)
        #expect(first.value("container.memory.limit", tags: tags) == 67_108_864)
        #expect(first.value("container.cpu.limit", tags: tags) == 100_000_000)
        #expect((first.value("container.pid.thread_count", tags: tags) ?? 0) >= 1)
        #expect((first.value("container.uptime", tags: tags) ?? -1) >= 0)
        let usage = try #require(second.value("container.cpu.usage", tags: tags))
        #expect(usage > 0.07e9 && usage < 0.13e9, "a 10% quota: \(usage / 1e7)% of a CPU")
        #expect(try #require(second.value("container.cpu.throttled.periods", tags: tags)) > 5)
        #expect(try #require(second.value("container.cpu.throttled", tags: tags)) > 0)
        #expect((second.value("container.memory.usage", tags: tags) ?? 0) > 0)
    }

    /// Unified service tagging reaches module metrics: one container declares env, service and
    /// version by variables, the other by com.datadoghq.tags.* labels.
    @Test(.enabled(if: canRun), .timeLimit(.minutes(2)))
    func unifiedServiceTagsOnContainerMetrics() async throws {
        let series = try await Self.withAgent { harness, agent in
            try harness.runContainer(id: "ust-env", image: Self.image,
                                     extraArgs: ["--env", "DD_ENV=prod", "--env", "DD_SERVICE=web", "--env", "DD_VERSION=1.4"])
            try harness.runContainer(id: "ust-label", image: Self.image, extraArgs: [
                "--label", "com.datadoghq.tags.env=staging", "--label", "com.datadoghq.tags.service=api",
                "--label", "com.datadoghq.tags.version=2",
            ])
            _ = agent.waitForRunning("ust-env") && agent.waitForRunning("ust-label")
            return try agent.run("cgroup")
        }
        func unified(_ id: String) -> Set<String> {
            let tags = series.first { $0.name == "container.memory.usage" && $0.tags.contains("container_id:\(id)") }?.tags ?? []
            return Set(tags.filter { $0.hasPrefix("env:") || $0.hasPrefix("service:") || $0.hasPrefix("version:") })
        }
        #expect(unified("ust-env") == ["env:prod", "service:web", "version:1.4"])
        #expect(unified("ust-label") == ["env:staging", "service:api", "version:2"])
    }

    @Test(.enabled(if: canRun), .timeLimit(.minutes(2)))
    func memoryLimitExceededCountsOOMEvents() async throws {
        let tags = ["container_id:hog"]
        let (before, after, stillRunning) = try await Self.withAgent { harness, agent in
            // `tail /dev/zero` buffers an endless line until the OOM killer stops it; the shell lives on.
            try harness.runContainer(id: "hog", image: Self.image, extraArgs: ["--memory-limit", "33554432"],
                                     command: ["sh", "-c", "while :; do tail /dev/zero; sleep 0.5; done"])
            _ = agent.waitForRunning("hog")
            let before = try agent.run("cgroup").value("container.memory.oom_events", tags: tags)
            var after = before
            let deadline = Date().addingTimeInterval(20)
            while (after ?? 0) <= (before ?? 0), Date() < deadline {
                Thread.sleep(forTimeInterval: 1)
                after = try agent.run("cgroup").value("container.memory.oom_events", tags: tags)
            }
            return (before, after, agent.store.entity(kind: .container, id: "hog")?.container?.state == .running)
        }
        let first = try #require(before)
        let last = try #require(after)
        #expect(last > first, "oom_events went from \(first) to \(last)")
        #expect(stillRunning)
    }

    @Test(.enabled(if: canRun), .timeLimit(.minutes(2)))
    func restartedContainerIsABaselineNotASpike() async throws {
        let tags = ["container_id:again"]
        let (afterRestart, next) = try await Self.withAgent { harness, agent in
            try harness.runContainer(id: "again", image: Self.image, command: ["sh", "-c", "while :; do :; done"])
            _ = agent.waitForRunning("again")
            _ = try agent.run("cgroup")
            Thread.sleep(forTimeInterval: 1)
            try harness.stopAndDelete(id: "again")
            try harness.runContainer(id: "again", image: Self.image, command: ["sh", "-c", "while :; do :; done"])
            let pid = try harness.pid(ofContainer: "again").map(Int64.init)
            let deadline = Date().addingTimeInterval(10)
            while agent.store.entity(kind: .container, id: "again")?.container?.pid != pid, Date() < deadline {
                usleep(20_000)
            }
            let afterRestart = try agent.run("cgroup")
            Thread.sleep(forTimeInterval: 1)
            return (afterRestart, try agent.run("cgroup"))
        }
        #expect(afterRestart.value("container.memory.usage", tags: tags) != nil, "the new incarnation is read")
        #expect(afterRestart.value("container.cpu.usage", tags: tags) == nil,
                "the first sample of a new incarnation only sets a baseline")
        let usage = try #require(next.value("container.cpu.usage", tags: tags))
        #expect(usage > 0.3e9 && usage <= 1.05e9 * Double(ProcessInfo.processInfo.activeProcessorCount))
    }

    /// The same through the command line: `vigil check cgroup --json`.
    @Test(.enabled(if: canRun), .timeLimit(.minutes(2)))
    func throughVigilCheckCommand() async throws {
        let output = try await onOwnThread {
            let harness = try ContainerdHarness(namespace: Self.namespace)
            defer { harness.stop() }
            try harness.importImage(archive: try harness.buildBusyboxImage(named: "cgbox"), baseName: "docker.io/library/cgbox")
            try harness.runContainer(id: "cli", image: Self.image, extraArgs: ["--memory-limit", "67108864"],
                                     command: ["sh", "-c", "while :; do :; done"])
            let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cg-cli-\(UUID().uuidString.prefix(8))")
            defer { try? FileManager.default.removeItem(at: folder) }
            for (name, body) in [("containerd", "containerd_socket: \(harness.socketPath)"), ("cgroup", "tag_cardinality: high")] {
                let confd = folder.appendingPathComponent("conf.d/\(name).d")
                try FileManager.default.createDirectory(at: confd, withIntermediateDirectories: true)
                try "init_config:\ninstances:\n  - \(body)\n".write(to: confd.appendingPathComponent("conf.yaml"), atomically: true, encoding: .utf8)
            }
            let config = folder.appendingPathComponent("vigil.yaml")
            try "modules_path: [\(ShippedModules.folder)]\nconfd_path: [\(folder.path)/conf.d]\nrun_path: \(folder.path)/run\n"
                .write(to: config, atomically: true, encoding: .utf8)
            return try Subprocess.run("\(products)/vigil", ["check", "cgroup", "--json", "--times", "2", "--pause", "1500",
                                                          "-c", config.path], timeout: 90).stdout
        }
        let json = try #require(output.firstIndex(of: "{").map { String(output[$0...]) })
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let metrics = try #require(document["metrics"] as? [[String: Any]])
        func value(_ name: String) -> Double? {
            let series = metrics.first { ($0["metric"] as? String) == name && (($0["tags"] as? [String]) ?? []).contains("container_id:cli") }
            return ((series?["points"] as? [[Any]])?.last?.last as? NSNumber)?.doubleValue
        }
        #expect(value("container.memory.limit") == 67_108_864)
        #expect((value("container.cpu.usage") ?? 0) > 0.3e9, "a busy loop without quota uses most of a CPU")
    }
}
