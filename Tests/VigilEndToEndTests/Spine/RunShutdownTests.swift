import Foundation
import Testing

/// `vigil run` stops cleanly on SIGTERM and flushes what is pending first:
/// check samples and DogStatsD samples.
@Suite(.serialized) struct RunShutdownTests {
    @Test func sigtermFlushesPendingSamplesIntoTheLocalStore() throws {
        // A flush interval far longer than the test: only the shutdown flush
        // can have written the points.
        let f = try AgentFixture(extraConfig: "flush_interval: 3600")
        defer { f.remove() }
        try f.compileModule(file: AgentFixture.repoRoot + "/Plugins/example/example.c", named: "example.so")
        try f.write("instances:\n  - value: 7\n    min_collection_interval: 1\n    tags: [via:run]\n",
                    to: "conf.d/example.d/conf.yaml")
        let pid = try Subprocess.spawn(AgentFixture.vigil, ["run", "-c", f.configFile],
                                       stdoutPath: f.root + "/out.log", stderrPath: f.root + "/err.log")
        Thread.sleep(forTimeInterval: 3.5)
        kill(pid, SIGTERM)
        let status = Subprocess.wait(pid: pid, timeout: 20)
        let log = (try? String(contentsOfFile: f.root + "/err.log", encoding: .utf8)) ?? ""
        #expect(status == 0, "\(log)")
        #expect(log.contains("vigil stopped"))

        let series = try #require(try f.json(["query", "example.value", "--json", "--since", "10m"]) as? [[String: Any]])
        let points = series.flatMap { ($0["points"] as? [[Double]]) ?? [] }
        #expect(points.count >= 3)
        #expect(points.allSatisfy { $0.last == 7 })
        #expect((series.first?["tags"] as? [String])?.contains("via:run") == true)
    }

    /// DogStatsD through the real binary on its defaults (readers parse in
    /// place): a Python client's samples are all in the local store after
    /// SIGTERM, distributions as percentile series.
    @Test func sigtermFlushesDogStatsDSamplesFromARealClient() throws {
        let f = try AgentFixture(extraConfig: "flush_interval: 3600")
        defer { f.remove() }
        let pid = try Subprocess.spawn(AgentFixture.vigil, ["run", "-c", f.configFile],
                                       stdoutPath: f.root + "/out.log", stderrPath: f.root + "/err.log")
        let socket = f.root + "/dogstatsd/dsd.socket"
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: socket) && Date() < deadline { usleep(50_000) }
        let sender = """
            import sys
            from datadog.dogstatsd import DogStatsd
            c = DogStatsd(socket_path=sys.argv[1], socket_timeout=None, disable_telemetry=True)
            for v in range(1, 101):
                c.distribution("e2e.run.latency", float(v), tags=["via:dsd"])
            c.gauge("e2e.run.temp", 5, tags=["via:dsd"])
            c.increment("e2e.run.hits", 30, tags=["via:dsd"])
            c.flush()
            """
        let sent = try runProcess("/usr/bin/env", ["python3", "-c", sender, socket])
        #expect(sent.status == 0, "\(sent.output)")
        var metrics = 0
        while metrics < 102 && Date() < deadline {
            let status = try? f.json(["status", "--json"]) as? [String: Any]
            let dsd = status?["dogstatsd"] as? [String: Any]
            let listener = (dsd?["listeners"] as? [String: Any])?["uds_datagram"] as? [String: Any]
            metrics = listener?["metrics"] as? Int ?? 0
            if metrics < 102 { usleep(100_000) }
        }
        #expect(metrics == 102)
        kill(pid, SIGTERM)
        #expect(Subprocess.wait(pid: pid, timeout: 20) == 0)

        func values(_ metric: String) throws -> [Double] {
            let series = try #require(try f.json(["query", metric, "--json", "--since", "10m"]) as? [[String: Any]])
            #expect(series.allSatisfy { ($0["tags"] as? [String])?.contains("via:dsd") == true })
            return series.flatMap { ($0["points"] as? [[Double]]) ?? [] }.compactMap(\.last)
        }
        #expect(try values("e2e.run.temp") == [5])
        #expect(try values("e2e.run.latency.count").reduce(0, +) == 100)
        let p50 = try values("e2e.run.latency.p50")
        #expect(p50.count == 1 && abs(p50[0] - 50) / 50 < 0.03, "p50 \(p50)")
        let p99 = try values("e2e.run.latency.p99")
        #expect(p99.count == 1 && abs(p99[0] - 99) / 99 < 0.03, "p99 \(p99)")
        // 30 hits in a 10 s window: a rate of 3/s.
        #expect(try values("e2e.run.hits").reduce(0, +) == 3)
    }
}
