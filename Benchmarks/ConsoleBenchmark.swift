import Foundation
import VigilConfig
import VigilConsole
import VigilForwarding
import VigilModel
import VigilStatus

/// `vigil-bench console [--containers N] [--hours H] [--loads L]`: the
/// containers page of a host with N containers (default 200) and H hours
/// (default 24) of their CPU and memory series at the default flush
/// interval (15 s) in the local store, loaded over the 24 h range in
/// headless chromium with the cache off. Prints, per load, the bytes
/// transferred (HTML, script, styles, chart library and plot data, as the
/// browser's Resource Timing counts them) and the time until every plot in
/// view is drawn; then the same after scrolling through every plot. The
/// goal (issue 17): under 1 MB and under 1 s.
enum ConsoleBenchmark {
    static let metrics: [(name: String, value: @Sendable (Int, Int) -> Double)] = [
        ("container.cpu.usage", { c, i in 2e8 + Double((c * 7 + i) % 50) * 1e7 }),
        ("container.cpu.throttled", { c, i in c % 4 == 0 ? Double(i % 20) * 1e6 : 0 }),
        ("container.cpu.limit", { c, _ in c % 2 == 0 ? 1e9 : 2e9 }),
        ("container.memory.usage", { c, i in Double(100 + c % 50) * 1_048_576 + Double(i % 30) * 65_536 }),
        ("container.memory.working_set", { c, i in Double(80 + c % 50) * 1_048_576 + Double(i % 30) * 32_768 }),
        ("container.memory.limit", { c, _ in c % 3 == 0 ? 9_223_372_036_854_771_712 : 536_870_912 }),
    ]

    static func run(_ arguments: [String]) async throws {
        func option(_ name: String, _ fallback: Int) -> Int {
            arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil } ?? fallback
        }
        let containers = option("--containers", 200), hours = option("--hours", 24), loads = option("--loads", 3)
        let flush = 15
        let folder = NSTemporaryDirectory() + "vigil-bench-console-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = try AgentConfig.fromYAML("run_path: \(folder)\ncmd_address: 127.0.0.1:0\nflush_interval: \(flush)\n"
                                              + "local_store_retention: \(hours + 1)h\n", baseDirectory: folder)
        let pointsPerSeries = hours * 3600 / flush
        print("console benchmark: \(containers) containers × \(metrics.count) series × \(pointsPerSeries) points "
              + "(\(hours) h at \(flush) s) in the local store")

        let fillStarted = Date()
        let now = WallClock.nowSeconds()
        let forwarder = try Forwarder(config: config, hostname: "bench-host")
        forwarder.start()
        let ids = (0..<containers).map { String(repeating: "0", count: 56) + String(format: "%08lx", $0 * 7919 + 1) }
        for chunk in stride(from: 0, to: containers, by: 10) {
            var series: [Series] = []
            for c in chunk..<min(containers, chunk + 10) {
                for metric in metrics {
                    let points = (0..<pointsPerSeries).map { i in
                        Point(timestamp: now - Int64((pointsPerSeries - i) * flush), value: metric.value(c, i))
                    }
                    series.append(Series(name: metric.name, type: .gauge, points: points,
                                         tags: ["container_id:\(ids[c])", "container_name:app-\(c)", "short_image:app"],
                                         host: "bench-host", interval: Int64(flush)))
                }
            }
            forwarder.consume(FlushBatch(series: series))
        }
        await forwarder.stop()
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: folder + "/vigil.db")[.size] as? Int) ?? 0
        print("  store filled in \(String(format: "%.1f", Date().timeIntervalSince(fillStarted))) s, vigil.db "
              + "\(fileSize / 1_048_576) MiB")

        let workload = JSONValue.array(ids.enumerated().map { c, id in
            JSONValue.object([("kind", "container"), ("id", .string(id)), ("name", .string("app-\(c)")), ("state", "running"),
                     ("image_ref", .string("registry.example/app:1.\(c % 9)")), ("image_id", "sha256:app"),
                     ("started_at", .int(now - 86_400))])
        })
        let tags = JSONValue.array(ids.enumerated().map { c, id in
            JSONValue.object([("entity", .string("container_id://\(id)")),
                     ("low", .array(["short_image:app", .string("image_tag:1.\(c % 9)"), .string("container_name:app-\(c)")])),
                     ("orchestrator", .array([])), ("high", .array([.string("container_id:\(id)")]))])
        })
        let sources = ConsoleSources(hostname: "bench-host", status: { .object([("hostname", "bench-host")]) },
                                     workload: { kind in kind == "image" ? .array([]) : workload }, tags: { tags },
                                     store: LocalStoreQuery(config: config))
        let console = Console(settings: ConsoleSettings(config: config), sources: sources)
        let server = try StatusServer(config: config)
        console.register(on: server)
        try server.start()
        defer { server.stop() }

        // The server's own share: one 24 h CPU plot 640 pixels wide, as the browser asks for it.
        let session = console.handle(WebRequest(method: "GET", path: "/console/login", query: ["code": console.issueLoginCode()]),
                                     now: WallClock.now())
        let cookie = session.headers.first { $0.0 == "Set-Cookie" }.map { String($0.1.split(separator: ";")[0]) } ?? ""
        var serverMs: [Double] = []
        var plotBytes = 0
        for c in 0..<5 {
            let started = Date()
            let answer = console.handle(WebRequest(method: "GET", path: "/console/api/plot",
                                                   query: ["plot": "container-cpu", "id": ids[c], "range": "24h", "width": "640"],
                                                   headers: [("Cookie", cookie), ("Accept-Encoding", "gzip")]), now: WallClock.now())
            serverMs.append(Date().timeIntervalSince(started) * 1000)
            plotBytes = answer.body.count
        }
        print("  server: one 24 h CPU plot (3 lines, 640 px): \(serverMs.map { String(format: "%.1f", $0) }.joined(separator: ", ")) ms, "
              + "\(plotBytes) bytes gzipped")

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tools/console-browser/console_browser.py").path
        let login = "/console/login?code=" + console.issueLoginCode()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "bench", "--base", "http://127.0.0.1:\(server.boundPort)", "--login", login,
                             "--page", "/console/containers?range=24h", "--loads", String(loads), "--all-plots"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let report = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            print("  the browser driver failed (exit \(process.terminationStatus)): \(String(decoding: data, as: UTF8.self))")
            return
        }
        print("  headless chromium, containers page, range 24 h, cache off, 1280×900 window:")
        for (n, load) in (report["loads"] as? [[String: Any]] ?? []).enumerated() {
            let transfer = load["transfer_bytes"] as? Double ?? 0
            let drawn = load["visible_plots_drawn_ms"] as? Double ?? .nan
            print(String(format: "    load %d: %.0f KB transferred (%.0f KB decoded, HTML %.0f KB) in %d requests "
                         + "(%d plot data); %d plots in view drawn (%d points) at %.0f ms; DOMContentLoaded %.0f ms, load %.0f ms",
                         n + 1, transfer / 1000, (load["decoded_bytes"] as? Double ?? 0) / 1000,
                         (load["html_transfer_bytes"] as? Double ?? 0) / 1000, load["requests"] as? Int ?? 0,
                         load["plot_requests"] as? Int ?? 0, load["plots_drawn"] as? Int ?? 0, load["points_drawn"] as? Int ?? 0,
                         drawn, load["dom_content_loaded_ms"] as? Double ?? 0, load["load_ms"] as? Double ?? 0)
                  + ((load["console_errors"] as? [String] ?? []).isEmpty ? "" : " — console errors: \(load["console_errors"] ?? "")"))
            print("      goal: under 1 MB \(transfer < 1_000_000 ? "met" : "NOT met"), drawn under 1 s \(drawn < 1000 ? "met" : "NOT met")")
        }
        if let all = report["all_plots"] as? [String: Any] {
            print(String(format: "  after scrolling through all %d plots: %.0f KB transferred in total, %d requests, %.1f s of scrolling",
                         all["plots_drawn"] as? Int ?? 0, (all["transfer_bytes"] as? Double ?? 0) / 1000,
                         all["requests"] as? Int ?? 0, all["seconds_scrolling"] as? Double ?? 0))
        }
    }
}
