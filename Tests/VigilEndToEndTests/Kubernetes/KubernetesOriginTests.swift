import Foundation
import Testing
import VigilAgent
import VigilModel
import VigilTestSupport

/// DogStatsD metrics from a real containerd container carry the tags of the
/// pod whose container status names that container (`containerd://<id>`),
/// once the first DatadogPodAutoscaler has opened the gate.
@Suite(.serialized) struct KubernetesOriginTests {
    @Test func containerMetricsCarryTheirPodsTags() async throws {
        let harness = try ContainerdHarness(namespace: "vigil-k8s")
        defer { harness.stop() }
        let f = try KubernetesAgentFixture(
            agentYAML: "autoscaling_enabled: true\ndogstatsd_tag_cardinality: orchestrator\n",
            extraConf: ["containerd.d/conf.yaml": """
                init_config:
                instances:
                  - containerd_socket: \(harness.socketPath)
                    containerd_namespaces: [vigil-k8s]
                """], autoscalingInstance: "    min_collection_interval: 1\n")
        try ContainerOriginTests.senderSource.write(toFile: f.dir + "/sender.c", atomically: true, encoding: .utf8)
        let cc = try runProcess("/usr/bin/cc", ["-static", "-O2", "-o", f.dir + "/sender", f.dir + "/sender.c"], timeout: 60)
        try #require(cc.status == 0, "cc -static failed: \(cc.output)")
        let archive = try harness.buildBusyboxImage(named: "k8s-sender")
        try harness.importImage(archive: archive, baseName: "docker.io/library/k8ssender")

        let id = "k8s-sender-\(UUID().uuidString.prefix(6).lowercased())"
        let stored = try f.server.put("pods", [KubernetesAPIDouble.pod(name: "web-5d8f7c9b6-q7x2k", namespace: "shop",
                                                                        containers: [("app", id)])])
        let uid = try #require((stored.first?["metadata"] as? [String: Any])?["uid"] as? String)
        try f.start()
        try f.server.put("datadogpodautoscalers", [KubernetesAPIDouble.autoscaler(name: "web", namespace: "shop")])
        #expect(await f.wait { f.podNames == ["web-5d8f7c9b6-q7x2k"] }, "\(f.podNames)")

        try harness.runContainer(id: id, image: "docker.io/library/k8ssender:latest",
                                 extraArgs: ["--mount", "type=bind,src=\(f.dir)/dogstatsd,dst=/dsd,options=rbind:rw",
                                             "--mount", "type=bind,src=\(f.dir)/sender,dst=/sender,options=rbind:ro"],
                                 command: ["/sender", "/dsd/dsd.socket", "400"])
        var tags: [String] = []
        #expect(await f.wait(20) {
            tags = f.agent.tagger.tags(forEntity: "container_id://\(id)", cardinality: .orchestrator) ?? []
            return tags.contains("pod_name:web-5d8f7c9b6-q7x2k") && f.agent.dogstatsd.statusSnapshot()["origin_hits"] != .int(0)
        }, "\(tags)")
        // Local recommendations: the autoscaling check reads the container's cgroup each second.
        var recommendation: [String: String] = [:]
        #expect(await f.wait(20) {
            if case let .generic(dpa)? = f.agent.workload.entity(kind: .autoscaler, id: "shop/web") { recommendation = dpa.attributes }
            return recommendation["recommendation:replicas"] != nil && recommendation["recommendation:app:cpu_request"] != nil
        }, "\(recommendation)")
        #expect(recommendation["recommendation:current_replicas"] == "1")
        // A sender that mostly sleeps uses far less than its 250m request: below the low watermark, one replica.
        #expect(recommendation["recommendation:replicas"] == "1")
        #expect(recommendation["recommendation:reason"] == "scale_down")
        // Bounded below by the DPA's minAllowed (100m, 32Mi).
        #expect(recommendation["recommendation:app:cpu_request"].flatMap(Double.init).map { $0 >= 0.1 } == true)
        #expect(recommendation["recommendation:app:memory_request"].flatMap(Double.init).map { $0 >= 33_554_432 } == true)
        try await Task.sleep(for: .seconds(1))
        let batch = f.agent.dogstatsd.flush(now: WallClock.now() + 20, force: true)
        let podTags = f.agent.tagger.tags(forEntity: "kubernetes_pod_uid://\(uid)", cardinality: .orchestrator) ?? []
        let high = f.agent.tagger.tags(forEntity: "container_id://\(id)", cardinality: .high) ?? []
        await f.stop()

        let expected: Set = ["pod_name:web-5d8f7c9b6-q7x2k", "kube_namespace:shop", "kube_deployment:web",
                             "kube_ownerref_kind:replicaset", "kube_ownerref_name:web-5d8f7c9b6", "kube_container_name:app"]
        #expect(Set(tags).isSuperset(of: expected), "\(tags)")
        // Cardinalities: pod_name and the owner's name are orchestrator tags, the rest low; the container's id high.
        #expect(high.contains("container_id:\(id)"))
        let hits = batch.series.filter { $0.name == "ct.hits" }
        #expect(!hits.isEmpty, "no metrics from the container")
        #expect(hits.contains { Set($0.tags).isSuperset(of: expected) }, "\(hits.map(\.tags))")
        // dd.internal.entity_id:<pod uid> resolves through the pod entity.
        #expect(Set(podTags).isSuperset(of: ["pod_name:web-5d8f7c9b6-q7x2k", "kube_namespace:shop", "kube_deployment:web"]), "\(podTags)")
    }
}
