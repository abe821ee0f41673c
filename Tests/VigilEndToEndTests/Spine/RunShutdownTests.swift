import Foundation
import Testing

/// `vigil run` stops cleanly on SIGTERM and flushes what is pending first.
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
}
