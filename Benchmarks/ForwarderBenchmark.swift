import Foundation
import VigilConfig
import VigilForwarding
import VigilModel

/// `vigil-bench forwarder [--series N]`: one flush of N series (default
/// 100,000) through the forwarder, timed from `consume` until `stop` has
/// everything on disk: each destination alone (Datadog v2 JSON + zstd or
/// deflate into the outbox, remote write protobuf + snappy into the outbox,
/// the local store), then all three at once with each destination's own
/// encode + compress + store time. Baseline in the same run: the same
/// bodies built with Foundation's JSONSerialization.
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

        let datadog = "dd_url: http://127.0.0.1:9\n"
        let remoteWrite = "prometheus_remote_write:\n  url: http://127.0.0.1:9/api/v1/write\n"
        let runs: [(String, String)] = [
            ("datadog alone, zstd", datadog + "local_store: false\nforwarder_compression: zstd"),
            ("datadog alone, deflate", datadog + "local_store: false\nforwarder_compression: deflate"),
            ("remote write alone (snappy)", remoteWrite + "local_store: false"),
            ("local store alone", ""),
            ("all three at once", datadog + remoteWrite),
        ]
        for (label, yaml) in runs {
            let (ms, status) = try await timeFlush(series, yaml: yaml)
            print("  \(label): \(String(format: "%.1f", ms)) ms until every destination has it on disk")
            guard case let .object(destinations)? = status["destinations"] else { continue }
            for (name, entry) in destinations {
                var line = "    \(name): encode + compress + store \(entry["queue"]?["last_write_ms"]?.serialized() ?? "?") ms"
                if case let .object(lanes)? = entry["lanes"] {
                    let payloads = lanes.reduce(Int64(0)) { total, lane in
                        if case let .int(n)? = lane.1["outbox_payloads"] { return total + n }
                        return total
                    }
                    let bytes = lanes.reduce(Int64(0)) { total, lane in
                        if case let .int(n)? = lane.1["outbox_bytes"] { return total + n }
                        return total
                    }
                    line += " (\(payloads) payloads, \(bytes) bytes stored)"
                }
                print(line)
            }
        }

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
