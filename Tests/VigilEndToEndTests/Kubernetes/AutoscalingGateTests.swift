import Foundation
import Testing
import VigilAgent
import VigilModel
import VigilTestSupport

/// The autoscaling gate end to end: the real agent, the shipped
/// `autoscaling` and `kubernetes` modules, the API server double.
@Suite(.serialized) struct AutoscalingGateTests {
    @Test func dormantThenOpenedByTheFirstAutoscalerThenClosed() async throws {
        let f = try KubernetesAgentFixture(agentYAML: "autoscaling_enabled: true\nautoscaling_close_after: 2\n")
        try f.server.put("pods", [KubernetesAPIDouble.pod(name: "web-1"), KubernetesAPIDouble.pod(name: "web-2"),
                                  KubernetesAPIDouble.pod(name: "web-3"), KubernetesAPIDouble.pod(name: "other", node: "node-b")])
        try f.start()

        // Dormant: the autoscaling module lists and watches DPAs; not one pod request.
        #expect(await f.wait { (try? f.server.requests().contains { $0.isWatch && $0.path.hasSuffix("/datadogpodautoscalers") }) == true })
        try await Task.sleep(for: .seconds(2))
        let dormantRequests = try f.podRequests().map(\.path)
        #expect(dormantRequests.isEmpty, "\(dormantRequests)")
        #expect(f.gateState == "dormant")
        #expect(f.podNames.isEmpty)
        #expect(f.agent.setup.runningInstances.filter { $0.checkName == "kubernetes" }.isEmpty)

        // The first DPA opens the gate: the pod collector starts, lists this node's pods and watches.
        try f.server.put("datadogpodautoscalers", [KubernetesAPIDouble.autoscaler(name: "web")])
        #expect(await f.wait { f.autoscalerIDs == ["default/web"] })
        #expect(await f.wait { f.gateState == "open" })
        #expect(f.gate?["reason"] == .string("DatadogPodAutoscaler default/web"))
        #expect(await f.wait { f.podNames == ["web-1", "web-2", "web-3"] }, "\(f.podNames)")
        let lists = try f.podRequests().filter { !$0.isWatch }
        #expect(lists.first?.query["fieldSelector"] == "spec.nodeName=node-a")
        #expect(lists.count == 2, "3 pods in pages of 2: \(lists.map(\.query))")
        #expect(await f.wait { (try? f.podRequests().contains { $0.isWatch }) == true })
        let status = f.agent.statusSnapshot().serialized()
        #expect(status.contains(#""running":true"#), "\(status)")

        // A 410 in the middle of the watch: relist; then the store holds exactly the server's pods.
        try f.server.put("pods", [KubernetesAPIDouble.pod(name: "web-4")])
        #expect(await f.wait { f.podNames.contains("web-4") })
        try f.server.expireWatches()
        try f.server.delete("pods", namespace: "default", name: "web-1")
        try f.server.put("pods", [KubernetesAPIDouble.pod(name: "web-5"), KubernetesAPIDouble.pod(name: "more", node: "node-b")])
        let serverNames = try f.serverPodNames()
        #expect(await f.wait { f.podNames == (try? f.serverPodNames()) }, "\(f.podNames) vs \(serverNames)")
        #expect(f.podNames == ["web-2", "web-3", "web-4", "web-5"])

        // The last DPA goes: closing for close_after (2 s), then dormant: the collector is stopped
        // and destroyed, its pods withdrawn, and no pod request is made any more.
        try f.server.delete("datadogpodautoscalers", namespace: "default", name: "web")
        #expect(await f.wait { f.gateState == "closing" })
        #expect(!f.podNames.isEmpty)
        #expect(await f.wait(10) { f.gateState == "dormant" })
        #expect(await f.wait { f.podNames.isEmpty }, "\(f.podNames)")
        #expect(f.autoscalerIDs.isEmpty)
        #expect(f.agent.setup.runningInstances.filter { $0.checkName == "kubernetes" }.isEmpty)
        let countAtClose = try f.podRequests().count
        try await Task.sleep(for: .seconds(1.5))
        #expect(try f.podRequests().count == countAtClose)
        #expect(f.gate?["closed"] == .int(1))
        await f.stop()
    }

    @Test func withoutAutoscalingThePodCollectorStartsAtOnce() async throws {
        let f = try KubernetesAgentFixture(agentYAML: "autoscaling_enabled: false\n", podsScope: "cluster")
        try f.server.put("pods", [KubernetesAPIDouble.pod(name: "a"), KubernetesAPIDouble.pod(name: "b", node: "node-b")])
        try f.start()
        // No DPA at all, and every pod of the cluster.
        #expect(await f.wait { f.podNames == ["a", "b"] }, "\(f.podNames)")
        #expect(f.gate == nil)
        #expect(try f.podRequests().first?.query["fieldSelector"] == nil)
        await f.stop()
    }
}
