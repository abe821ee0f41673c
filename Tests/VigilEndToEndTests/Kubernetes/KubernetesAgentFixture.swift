import Foundation
import VigilAgent
import VigilConfig
import VigilModel
import VigilTestSupport

/// A whole agent in-process with the shipped `autoscaling` and `kubernetes`
/// modules pointed at the API server double through a kubeconfig.
final class KubernetesAgentFixture: @unchecked Sendable {
    let dir: String
    let server: KubernetesAPIDouble
    var agent: Agent!

    /// `extraConf` adds conf.d files (relative path → text); `agentYAML` adds vigil.yaml keys.
    init(agentYAML: String = "autoscaling_enabled: true\n", podsScope: String = "node",
         extraConf: [String: String] = [:], autoscalingInstance: String = "") throws {
        dir = try TrustedScratch.folder("vigil-k8s-e2e")
        server = try KubernetesAPIDouble(folder: dir, bookmarkInterval: 0.5)
        for sub in ["conf.d/autoscaling.d", "conf.d/kubernetes.d", "run"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        try "init_config:\ninstances:\n  - kubeconfig: \(server.kubeconfigFile)\n\(autoscalingInstance)"
            .write(toFile: dir + "/conf.d/autoscaling.d/conf.yaml", atomically: true, encoding: .utf8)
        try """
            init_config:
              wait_for_gate: autoscaling
            instances:
              - kubeconfig: \(server.kubeconfigFile)
                kubernetes_node_name: node-a
                pods_scope: \(podsScope)
                kubernetes_page_size: 2
            """.write(toFile: dir + "/conf.d/kubernetes.d/conf.yaml", atomically: true, encoding: .utf8)
        for (path, text) in extraConf {
            let full = dir + "/conf.d/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        let config = try AgentConfig.fromYAML("""
            hostname: node-a
            modules_path: [\(ShippedModules.folder)]
            confd_path: [\(dir)/conf.d]
            run_path: \(dir)/run
            dogstatsd_port: 0
            cmd_address: 127.0.0.1:0
            flush_interval: 3600
            log_level: debug
            \(agentYAML)
            """, baseDirectory: dir)
        agent = try Agent(config: config)
    }

    func start() throws { try agent.start() }

    func stop() async {
        if let agent { await agent.shutdown() }
        agent = nil
        server.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    var gate: JSONValue? {
        guard case let .array(gates)? = agent.statusSnapshot()["gates"] else { return nil }
        return gates.first { $0["name"] == .string("autoscaling") }
    }
    var gateState: String? { if case let .string(s)? = gate?["state"] { return s } else { return nil } }

    var podNames: [String] {
        agent.workload.entities(kind: .pod).compactMap { entity -> String? in
            if case let .generic(g) = entity { return g.attributes["name"] } else { return nil }
        }.sorted()
    }
    var autoscalerIDs: [String] { agent.workload.entities(kind: .autoscaler).map(\.id).sorted() }

    func podRequests() throws -> [KubernetesAPIDouble.Request] {
        try server.requests().filter { $0.path.hasSuffix("/pods") }
    }

    /// The names of node-a's pods the server holds.
    func serverPodNames(node: String = "node-a") throws -> [String] {
        try server.objects("pods").filter { (($0["spec"] as? [String: Any])?["nodeName"] as? String) == node }
            .compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }.sorted()
    }

    /// Polls `condition` without blocking a thread of the cooperative pool the agent's modules run on.
    func wait(_ seconds: Double = 15, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try condition()
    }
}
