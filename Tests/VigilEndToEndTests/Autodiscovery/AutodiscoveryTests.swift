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
}
