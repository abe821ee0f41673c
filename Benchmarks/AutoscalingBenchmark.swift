import Foundation
import VigilTestSupport

/// `vigil-bench autoscaling [--pods N] [--settle S]`: the cost of the
/// autoscaling gate. The Kubernetes API server double serves N pods
/// (default 10,000) cluster-wide; `vigil run` (modules from the build
/// folder) is measured from /proc/PID/status (VmRSS, VmHWM):
///
/// 1. autoscaling disabled: no autoscaling or kubernetes conf;
/// 2. autoscaling enabled, no DPA: the autoscaling module watches DPAs, the
///    kubernetes module (pods_scope: cluster, wait_for_gate: autoscaling) is dormant;
/// 3. then the first DPA: time until the pod collector has listed every pod
///    (its watch opens once the list is published), and RSS;
/// 4. then the DPA deleted, autoscaling_close_after 2 s: RSS once the
///    collector is stopped and destroyed.
private func mib(_ kb: Int) -> Double { Double(kb) / 1024 }

enum AutoscalingBenchmark {
    struct Memory {
        var rssKB = 0, peakKB = 0, anonKB = 0, fileKB = 0
        /// "RSS 76.1 MiB (anon 20.3, file 55.8)"
        var text: String { String(format: "RSS %6.1f MiB (anon %5.1f, file %5.1f)", mib(rssKB), mib(anonKB), mib(fileKB)) }
    }

    static func run(_ arguments: [String]) async throws {
        func option(_ name: String, _ fallback: Double) -> Double {
            guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Double(arguments[i + 1]) else { return fallback }
            return v
        }
        let podCount = Int(option("--pods", 10_000))
        let settle = option("--settle", 10)
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let folder = try TrustedScratch.folder("vigil-bench-autoscaling")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        print("autoscaling benchmark: \(podCount) pods served cluster-wide by the API server double; vigil run from \(products); settle \(Int(settle)) s")
        let server = try KubernetesAPIDouble(folder: folder, bookmarkInterval: 5)
        defer { server.stop() }
        var pods: [[String: Any]] = []
        for i in 0..<podCount {
            pods.append(KubernetesAPIDouble.pod(name: "web-5d8f7c9b6-\(i)", namespace: "ns\(i % 50)", node: "node-\(i % 100)",
                                                containers: [("app", String(format: "%064x", i))]))
            if pods.count == 1000 { try server.put("pods", pods); pods.removeAll() }
        }
        if !pods.isEmpty { try server.put("pods", pods) }

        let disabled = try await measure(products: products, folder: folder + "/disabled", server: server, enabled: false, settle: settle)
        print("  disabled:              \(disabled.text)  peak \(String(format: "%.1f", mib(disabled.peakKB))) MiB")

        // Enabled: dormant, then the first DPA, then closed again, in one agent.
        let dir = folder + "/enabled"
        let agent = try start(products: products, folder: dir, server: server, enabled: true)
        defer { if agent.isRunning { agent.terminate(); agent.waitUntilExit() } }
        try await Task.sleep(for: .seconds(settle))
        let dormant = memory(agent.processIdentifier)
        let podRequests = try server.requests().filter { $0.path.hasSuffix("/pods") }.count
        print("  enabled, no DPA:       \(dormant.text)  peak \(String(format: "%.1f", mib(dormant.peakKB))) MiB"
              + String(format: "  (peak %+.2f MiB, anon %+.2f MiB beside disabled; %d pod requests)",
                       mib(dormant.peakKB - disabled.peakKB), mib(dormant.anonKB - disabled.anonKB), podRequests))

        let openBefore = try server.openWatches
        let began = Date()
        try server.put("datadogpodautoscalers", [KubernetesAPIDouble.autoscaler(name: "web")])
        // The pod collector opens its watch once every page is listed and published.
        while try server.openWatches <= openBefore, Date().timeIntervalSince(began) < 600 {
            try await Task.sleep(for: .milliseconds(20))
        }
        let sync = Date().timeIntervalSince(began)
        let open = memory(agent.processIdentifier)
        print("  first DPA → synced:    \(open.text)  peak \(String(format: "%.1f", mib(open.peakKB))) MiB"
              + String(format: "  (%.2f s from the DPA to the pod watch)", sync))

        try server.delete("datadogpodautoscalers", namespace: "default", name: "web")
        let closing = Date()
        while try server.openWatches > openBefore, Date().timeIntervalSince(closing) < 120 {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .seconds(settle))
        let closed = memory(agent.processIdentifier)
        print("  closed:                \(closed.text)"
              + String(format: "  (RSS %+.1f %%, anon %+.1f %% beside dormant; %.1f s after the DPA was deleted)",
                       100 * Double(closed.rssKB - dormant.rssKB) / Double(max(dormant.rssKB, 1)),
                       100 * Double(closed.anonKB - dormant.anonKB) / Double(max(dormant.anonKB, 1)),
                       Date().timeIntervalSince(closing)))
    }

    

    static func measure(products: String, folder: String, server: KubernetesAPIDouble, enabled: Bool,
                        settle: Double) async throws -> Memory {
        let agent = try start(products: products, folder: folder, server: server, enabled: enabled)
        defer { if agent.isRunning { agent.terminate(); agent.waitUntilExit() } }
        try await Task.sleep(for: .seconds(settle))
        return memory(agent.processIdentifier)
    }

    static func start(products: String, folder: String, server: KubernetesAPIDouble, enabled: Bool) throws -> Process {
        for sub in ["conf.d", "run"] { try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true) }
        if enabled {
            try FileManager.default.createDirectory(atPath: folder + "/conf.d/autoscaling.d", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: folder + "/conf.d/kubernetes.d", withIntermediateDirectories: true)
            try "init_config:\ninstances:\n  - kubeconfig: \(server.kubeconfigFile)\n"
                .write(toFile: folder + "/conf.d/autoscaling.d/conf.yaml", atomically: true, encoding: .utf8)
            try "init_config:\n  wait_for_gate: autoscaling\ninstances:\n  - kubeconfig: \(server.kubeconfigFile)\n    pods_scope: cluster\n"
                .write(toFile: folder + "/conf.d/kubernetes.d/conf.yaml", atomically: true, encoding: .utf8)
        }
        try """
            hostname: bench
            modules_path: [\(products)]
            confd_path: [\(folder)/conf.d]
            run_path: \(folder)/run
            dogstatsd_socket_dir: \(folder)/dsd
            dogstatsd_port: 0
            cmd_address: 127.0.0.1:0
            local_store: false
            autoscaling_enabled: \(enabled)
            autoscaling_close_after: 2
            """.write(toFile: folder + "/vigil.yaml", atomically: true, encoding: .utf8)
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: products + "/vigil")
        agent.arguments = ["run", "-c", folder + "/vigil.yaml"]
        agent.standardOutput = FileHandle.nullDevice
        agent.standardError = FileHandle.nullDevice
        try agent.run()
        return agent
    }

    /// VmRSS and VmHWM (peak) from /proc/PID/status.
    static func memory(_ pid: Int32) -> Memory {
        guard let file = FileHandle(forReadingAtPath: "/proc/\(pid)/status") else { return Memory() }
        defer { try? file.close() }
        var m = Memory()
        for line in String(decoding: file.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kb = Int(fields[1]) else { continue }
            if fields[0] == "VmRSS:" { m.rssKB = kb }
            if fields[0] == "VmHWM:" { m.peakKB = kb }
            if fields[0] == "RssAnon:" { m.anonKB = kb }
            if fields[0] == "RssFile:" { m.fileKB = kb }
        }
        return m
    }
}
