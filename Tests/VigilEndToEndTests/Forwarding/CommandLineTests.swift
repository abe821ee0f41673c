import Foundation
import Testing
import VigilModel
@testable import VigilStatus

/// `vigil run` on the embedded default (no dd_url), read back with
/// `vigil query` and `vigil status`, and scraped on `/metrics`.
@Suite(.serialized) struct CommandLineTests {
    @Test func queryStatusAndMetricsAgainstARunningAgent() throws {
        let products = KillRestartTests.productsDirectory
        let vigil = products + "/vigil"
        try #require(FileManager.default.isExecutableFile(atPath: vigil), "build vigil first: \(vigil)")
        let folder = NSTemporaryDirectory() + "vigil-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/conf.d/example.d", withIntermediateDirectories: true)
        try "instances:\n  - value: 42\n    min_collection_interval: 1\n    tags: [team:infra]\n"
            .write(toFile: folder + "/conf.d/example.d/conf.yaml", atomically: true, encoding: .utf8)
        let config = folder + "/vigil.yaml"
        try """
            hostname: cli-test
            modules_path: [\(ShippedModules.folder)]
            flush_interval: 1
            cmd_address: 127.0.0.1:0
            prometheus_scrape: true
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let agent = try Subprocess.spawn(vigil, ["run", "-c", config], stdoutPath: folder + "/out", stderrPath: folder + "/err")
        defer { Subprocess.terminate(pid: agent) }

        var series: JSONValue = .array([])
        let stored = Subprocess.poll(timeout: 20, interval: 0.25) {
            guard let result = try? Subprocess.run(vigil, ["query", "example.value", "--tag", "team:infra", "--since", "5m",
                                                           "--json", "-c", config], timeout: 20, check: false),
                  result.status == 0, let parsed = try? JSONText.parse(result.stdout),
                  case let .array(list) = parsed, !list.isEmpty else { return false }
            series = parsed
            return true
        }
        let log = (try? String(contentsOfFile: folder + "/err", encoding: .utf8)) ?? ""
        try #require(stored, "no points stored; agent log:\n\(log.suffix(3000))")
        guard case let .array(list) = series, let first = list.first else { Issue.record("not a list"); return }
        #expect(first["metric"] == "example.value")
        #expect(first["host"] == "cli-test")
        guard case let .array(points)? = first["points"], case let .array(point)? = points.first else {
            Issue.record("no points"); return
        }
        #expect(point.last == .int(42))

        let missing = try Subprocess.run(vigil, ["query", "example.valu", "-c", config], timeout: 20, check: false)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("example.value"))

        let status = try Subprocess.run(vigil, ["status", "--json", "-c", config], timeout: 20)
        let document = try JSONText.parse(status.stdout)
        #expect(document["forwarder"]?["destinations"]?["local_store"]?["points_stored"] != nil)
        let human = try Subprocess.run(vigil, ["status", "-c", config], timeout: 20)
        #expect(human.stdout.contains("forwarder:"))

        let address = try String(contentsOfFile: folder + "/run/cmd_address", encoding: .utf8)
        let port = try #require(StatusAddress(parsing: address)?.port)
        // No token: Prometheus scrapes /metrics without one.
        let scrape = try HTTPGet.fetch(address: StatusAddress(host: "127.0.0.1", port: port), target: "/metrics",
                                       headers: [:], timeoutSeconds: 10)
        #expect(scrape.status == 200)
        #expect(scrape.body.contains("example_value{host=\"cli-test\",source=\"example\",team=\"infra\"} 42"))

        Subprocess.terminate(pid: agent)
        let stopped = try Subprocess.run(vigil, ["status", "-c", config], timeout: 20, check: false)
        #expect(stopped.status != 0)
        #expect(stopped.stderr.contains("not running"))
    }
}
