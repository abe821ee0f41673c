import Foundation
import VigilConfig
import VigilForwarding
import VigilModel

/// `vigil-bench forwarder [--series N]`: one flush of N series (default
/// 100,000) through the forwarder — v2 JSON encoding, zstd, split under the
/// intake limits, stored in the SQLite outbox — timed from `consume` until
/// `stop` has everything on disk. Baselines in the same run: the same
/// bodies built with Foundation's JSONSerialization, deflate instead of
/// zstd, and the local-store destination.
enum ForwarderBenchmark {
    static func run(_ arguments: [String]) async throws {
        var count = 100_000
        if let flag = arguments.firstIndex(of: "--series"), flag + 1 < arguments.count, let n = Int(arguments[flag + 1]) { count = n }
        let now = WallClock.nowSeconds()
        let series = (0..<count).map { i in
            Series(name: "container.cpu.usage.\(i % 40)", type: .gauge, points: [Point(timestamp: now, value: Double(i) * 0.37)],
                   tags: ["container_id:\(String(i, radix: 16))", "container_name:app-\(i % 500)", "image_name:registry/app",
                          "image_tag:1.\(i % 9)", "kube_namespace:default"],
                   host: "node-\(i % 3)", interval: 10)
        }
        print("forwarder benchmark: one flush of \(count) series, 5 tags each")

        for (label, yaml) in [("datadog outbox, zstd", "forwarder_compression: zstd"),
                              ("datadog outbox, deflate", "forwarder_compression: deflate")] {
            let (ms, status) = try await timeFlush(series, yaml: "dd_url: http://127.0.0.1:9\n" + yaml)
            let entry = status["endpoints"]?["series"]
            let payloads = entry?["outbox_payloads"]?.serialized() ?? "?"
            let stored = entry?["outbox_bytes"]?.serialized() ?? "?"
            print("  \(label): \(String(format: "%.1f", ms)) ms (\(payloads) payloads, \(stored) bytes stored)")
        }
        let (localMs, _) = try await timeFlush(series, yaml: "")
        print("  local store (no dd_url): \(String(format: "%.1f", localMs)) ms")

        // Baseline encoder: Foundation's JSONSerialization on the same data.
        let start = MonotonicClock.nanoseconds()
        let objects: [[String: Any]] = series.map { s in
            ["metric": s.name, "type": s.type.rawValue, "tags": s.tags, "interval": s.interval,
             "points": s.points.map { ["timestamp": $0.timestamp, "value": $0.value] },
             "resources": [["name": s.host, "type": "host"]]]
        }
        let body = try JSONSerialization.data(withJSONObject: ["series": objects])
        let encodeMs = Double(MonotonicClock.nanoseconds() - start) / 1e6
        let bytes = [UInt8](body)
        for encoding in ContentEncoding.allCases {
            let t0 = MonotonicClock.nanoseconds()
            let compressed = try encoding.compress(bytes)
            let ms = Double(MonotonicClock.nanoseconds() - t0) / 1e6
            let ratio = Double(bytes.count) / Double(compressed.count)
            print("  compress \(encoding.rawValue) of \(bytes.count) bytes: \(String(format: "%.1f ms, ratio %.1fx", ms, ratio))")
        }
        print(String(format: "  baseline: JSONSerialization encode alone %.1f ms", encodeMs))
    }

    /// Milliseconds from `consume` to everything stored, and the final status.
    static func timeFlush(_ series: [Series], yaml: String) async throws -> (Double, JSONValue) {
        let folder = NSTemporaryDirectory() + "vigil-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = try AgentConfig.fromYAML("""
            run_path: \(folder)
            forwarder_stop_timeout: 0.001
            forwarder_backoff_base: 60
            \(yaml)
            """, baseDirectory: folder, environment: ["VIGIL_API_KEY": "bench"])
        let forwarder = try Forwarder(config: config, hostname: "bench")
        let start = MonotonicClock.nanoseconds()
        forwarder.consume(FlushBatch(series: series))
        await forwarder.stop()
        let ms = Double(MonotonicClock.nanoseconds() - start) / 1e6
        return (ms, forwarder.statusSnapshot())
    }
}
