import Foundation
import Testing

/// Templates resolved against real containers run by a private containerd:
/// by container labels, and by the image's short name in `ad_identifiers`.
@Suite(.serialized) struct AutodiscoveryTests {
    @Test func templatesResolveAgainstRunningContainers() throws {
        let containerd = try ContainerdHarness(namespace: "adtest")
        defer { containerd.stop() }
        let archive = try containerd.buildBusyboxImage(named: "adbox")
        _ = try containerd.importImage(archive: archive, baseName: "docker.io/library/adbox")
        try containerd.runContainer(id: "labelled", image: "docker.io/library/adbox:latest", extraArgs: [
            "--label", #"vigil.ad.check_names=["example"]"#,
            "--label", #"vigil.ad.instances=[{"value": "%%pid%%", "tags": ["from:label"]}]"#,
        ])
        try containerd.runContainer(id: "plain", image: "docker.io/library/adbox:latest")
        let labelledPID = try #require(try containerd.pid(ofContainer: "labelled"))
        let plainPID = try #require(try containerd.pid(ofContainer: "plain"))

        let f = try AgentFixture(extraConfig: "flush_interval: 3600")
        defer { f.remove() }
        try f.compileModule(file: AgentFixture.repoRoot + "/Plugins/example/example.c", named: "example.so")
        try f.copyBuiltModule("vigil-containerd", as: "libvigil-containerd.so")
        try f.write("instances:\n  - containerd_socket: \(containerd.socketPath)\n", to: "conf.d/containerd.d/conf.yaml")
        try f.write("""
            ad_identifiers: [adbox]
            init_config:
            instances:
              - value: "%%pid%%"
                tags: ["name:%%container_name%%", from:template]
            """, to: "conf.d/example.d/auto_conf.yaml")

        let report = try #require(try f.json(["check", "example", "--json"]) as? [String: Any])
        let metrics = (report["metrics"] as? [[String: Any]] ?? []).filter { $0["metric"] as? String == "example.value" }
        func value(withTag tag: String) -> [Double] {
            metrics.filter { ($0["tags"] as? [String] ?? []).contains(tag) }
                .compactMap { ($0["points"] as? [[Double]])?.first?.last }
        }
        // Each running container gets the template; the labelled one also its label check.
        #expect(Set(value(withTag: "from:template")) == [Double(labelledPID), Double(plainPID)])
        #expect(value(withTag: "from:label") == [Double(labelledPID)])
        for m in metrics {
            let tags = m["tags"] as? [String] ?? []
            #expect(tags.contains("short_image:adbox"), "\(tags)")
            #expect(tags.contains("container_namespace:adtest"), "\(tags)")
        }
        #expect(value(withTag: "name:plain") == [Double(plainPID)])

        // The daemon schedules them, shows them in configcheck, and drops them when a container stops.
        let pid = try Subprocess.spawn(AgentFixture.vigil, ["run", "-c", f.configFile],
                                       stdoutPath: f.root + "/out.log", stderrPath: f.root + "/err.log")
        defer { Subprocess.terminate(pid: pid) }
        var resolved: [[String: Any]] = []
        _ = Subprocess.poll(timeout: 20, interval: 0.5) {
            let doc = (try? f.json(["configcheck", "--json"])) as? [String: Any]
            resolved = ((doc?["autodiscovery"] as? [String: Any])?["resolved"] as? [[String: Any]]) ?? []
            return resolved.count == 3
        }
        #expect(resolved.count == 3)
        #expect(Set(resolved.compactMap { $0["container_id"] as? String }) == ["labelled", "plain"])
        let text = try f.vigil(["configcheck"]).stdout
        #expect(text.contains("resolved for container plain"))

        try containerd.stopAndDelete(id: "plain")
        let gone = Subprocess.poll(timeout: 20, interval: 0.5) {
            let doc = (try? f.json(["configcheck", "--json"])) as? [String: Any]
            let now = ((doc?["autodiscovery"] as? [String: Any])?["resolved"] as? [[String: Any]]) ?? []
            return now.count == 2 && now.allSatisfy { $0["container_id"] as? String == "labelled" }
        }
        #expect(gone)
        let log = (try? String(contentsOfFile: f.root + "/err.log", encoding: .utf8)) ?? ""
        #expect(log.contains("autodiscovery: unscheduling example:plain"))
    }

    /// %%host%%, %%port%% and %%port_N%% come from the addresses and listening ports the
    /// containerd module reads in the container's own network namespace (the core reads no
    /// /proc); %%env_X%% is the agent's environment, as the reference defines it.
    @Test func networkVariablesComeFromTheContainersNamespace() throws {
        let containerd = try ContainerdHarness(namespace: "adnet")
        defer { containerd.stop() }
        let archive = try containerd.buildBusyboxImage(named: "adnetbox")
        _ = try containerd.importImage(archive: archive, baseName: "docker.io/library/adnetbox")
        try containerd.runContainer(id: "svc", image: "docker.io/library/adnetbox:latest")
        let pid = try #require(try containerd.pid(ofContainer: "svc"))
        let hostEnd = "vad\(getpid() % 10000)"
        defer { _ = try? Subprocess.run("ip", ["link", "del", hostEnd], check: false) }
        try NetworkContainerTests.wireVeth(pid: pid, host: hostEnd, inside: "eth1", subnet: 9)
        // Two services listening inside the container's namespace (not on the host).
        let listener = try Subprocess.spawn("nsenter", ["-t", "\(pid)", "-n", "python3", "-c", """
            import socket, time
            socks = []
            for port in (6380, 9121):
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("0.0.0.0", port)); s.listen(); socks.append(s)
            time.sleep(600)
            """], stdoutPath: "/dev/null", stderrPath: "/dev/null")
        defer { Subprocess.terminate(pid: listener, grace: 1) }
        let listening = Subprocess.poll(timeout: 10, interval: 0.1) {
            // /proc files report size 0: read to the end. Ports in hex: 6380 = 18EC, 9121 = 23A1.
            let table = FileHandle(forReadingAtPath: "/proc/\(pid)/net/tcp").map {
                String(decoding: $0.readDataToEndOfFile(), as: UTF8.self)
            } ?? ""
            return table.contains(":18EC 00000000:0000 0A") && table.contains(":23A1 00000000:0000 0A")
        }
        #expect(listening)

        let f = try AgentFixture(extraConfig: "flush_interval: 3600")
        defer { f.remove() }
        try f.compileModule(file: AgentFixture.repoRoot + "/Plugins/example/example.c", named: "example.so")
        try f.copyBuiltModule("vigil-containerd", as: "libvigil-containerd.so")
        try f.write("instances:\n  - containerd_socket: \(containerd.socketPath)\n    container_network_refresh_interval: 1\n",
                    to: "conf.d/containerd.d/conf.yaml")
        try f.write("""
            ad_identifiers: [adnetbox]
            init_config:
            instances:
              - value: "%%port%%"
                tags: ["addr:%%host%%", "first:%%port_0%%", "hn:%%hostname%%", "zone:%%env_VIGIL_AD_ZONE%%"]
            """, to: "conf.d/example.d/auto_conf.yaml")

        let report = try #require(try f.json(["check", "example", "--json"], environment: ["VIGIL_AD_ZONE": "blue"]) as? [String: Any])
        let metric = try #require((report["metrics"] as? [[String: Any]] ?? []).first { $0["metric"] as? String == "example.value" })
        #expect((metric["points"] as? [[Double]])?.first?.last == 9121)
        let tags = metric["tags"] as? [String] ?? []
        #expect(tags.contains("addr:10.213.9.2"), "\(tags)")
        #expect(tags.contains("first:6380"), "\(tags)")
        #expect(tags.contains("hn:svc"), "\(tags)")
        #expect(tags.contains("zone:blue"), "\(tags)")

        // A port opened later reaches the running agent at the next refresh, and the template
        // is resolved again with it.
        let pid2 = try Subprocess.spawn(AgentFixture.vigil, ["run", "-c", f.configFile],
                                        stdoutPath: f.root + "/out.log", stderrPath: f.root + "/err.log",
                                        environment: ProcessInfo.processInfo.environment.merging(["VIGIL_AD_ZONE": "blue"]) { $1 })
        defer { Subprocess.terminate(pid: pid2) }
        func resolvedValue() -> Any? {
            let doc = (try? f.json(["configcheck", "--json"])) as? [String: Any]
            let resolved = ((doc?["autodiscovery"] as? [String: Any])?["resolved"] as? [[String: Any]]) ?? []
            return (resolved.first?["instance"] as? [String: Any])?["value"]
        }
        #expect(Subprocess.poll(timeout: 20, interval: 0.5) { (resolvedValue() as? Int) == 9121 },
                "resolved value \(String(describing: resolvedValue()))")
        let later = try Subprocess.spawn("nsenter", ["-t", "\(pid)", "-n", "python3", "-c", """
            import socket, time
            s = socket.socket(); s.bind(("0.0.0.0", 9999)); s.listen(); time.sleep(600)
            """], stdoutPath: "/dev/null", stderrPath: "/dev/null")
        defer { Subprocess.terminate(pid: later, grace: 1) }
        let followed = Subprocess.poll(timeout: 20, interval: 0.5) { (resolvedValue() as? Int) == 9999 }
        #expect(followed, "resolved value stayed \(String(describing: resolvedValue()))")
    }
}
