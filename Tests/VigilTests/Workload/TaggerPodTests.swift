import Foundation
import Testing
import VigilConfig
import VigilModel
import VigilWorkload

/// Pod entities (from the kubernetes module) link to containers by container
/// id and give their tags at the reference's cardinalities.
@Suite struct TaggerPodTests {
    static let pod = GenericEntity(kind: .pod, id: "uid-1", attributes: [
        "name": "web-5d8f7c9b6-x", "namespace": "shop", "uid": "uid-1", "owner_kind": "ReplicaSet",
        "owner_name": "web-5d8f7c9b6", "replica_set": "web-5d8f7c9b6", "deployment": "web", "qos_class": "Burstable",
        "phase": "Running", "container:app:id": "c1", "container:side:id": "c2", "container:idle:image": "x",
    ])

    func wait(_ condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: 5)
        while !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return condition()
    }

    @Test func containerTagsGainTheirPodsAtEachCardinality() {
        let store = WorkloadStore()
        let tagger = Tagger(store: store, rules: TagRules())
        store.publish(.container(Container(id: "c1", name: "app-c1", runtime: "containerd")), source: "containerd")
        store.publish(.container(Container(id: "c9", name: "lonely")), source: "containerd")
        #expect(tagger.tags(forEntity: "container_id://c1", cardinality: .high)?.contains { $0.hasPrefix("pod_name:") } == false)
        store.publish(.generic(Self.pod), source: "kubernetes")
        #expect(wait { tagger.tags(forEntity: "container_id://c1", cardinality: .low)?.contains("kube_deployment:web") == true })
        let low = tagger.tags(forEntity: "container_id://c1", cardinality: .low) ?? []
        #expect(Set(low).isSuperset(of: ["kube_namespace:shop", "kube_deployment:web", "kube_replica_set:web-5d8f7c9b6",
                                         "kube_ownerref_kind:replicaset", "kube_container_name:app", "kube_qos:Burstable",
                                         "pod_phase:running"]), "\(low)")
        #expect(!low.contains { $0.hasPrefix("pod_name:") || $0.hasPrefix("kube_ownerref_name:") || $0.hasPrefix("container_id:") })
        let orchestrator = tagger.tags(forEntity: "container_id://c1", cardinality: .orchestrator) ?? []
        #expect(Set(orchestrator).isSuperset(of: ["pod_name:web-5d8f7c9b6-x", "kube_ownerref_name:web-5d8f7c9b6"]))
        #expect(!orchestrator.contains { $0.hasPrefix("container_id:") })
        let high = tagger.tags(forEntity: "container_id://c1", cardinality: .high) ?? []
        #expect(high.contains("container_id:c1") && high.contains("container_name:app-c1"))
        // A container of no pod keeps its own tags only.
        #expect(tagger.tags(forEntity: "container_id://c9", cardinality: .high)?.contains { $0.hasPrefix("kube_") } == false)

        // The pod's own entity id, as DogStatsD's dd.internal.entity_id names it.
        let podTags = tagger.tags(forEntity: "kubernetes_pod_uid://uid-1", cardinality: .orchestrator) ?? []
        #expect(Set(podTags).isSuperset(of: ["pod_name:web-5d8f7c9b6-x", "kube_namespace:shop", "kube_deployment:web"]))
        #expect(!(tagger.tags(forEntity: "kubernetes_pod_uid://uid-1", cardinality: .low) ?? []).contains { $0.hasPrefix("pod_name:") })

        // The pod withdrawn: its tags leave the container.
        store.remove(kind: .pod, id: "uid-1", source: "kubernetes")
        #expect(wait { tagger.tags(forEntity: "container_id://c1", cardinality: .low)?.contains("kube_deployment:web") == false })
        #expect(tagger.tags(forEntity: "kubernetes_pod_uid://uid-1", cardinality: .low) == nil)
    }

    @Test func thePodsEntityNameWinsOverTheRuntimeLabel() {
        let store = WorkloadStore()
        let tagger = Tagger(store: store, rules: TagRules())
        store.publish(.container(Container(id: "c1", labels: ["io.kubernetes.pod.name": "web-5d8f7c9b6-x",
                                                              "io.kubernetes.pod.namespace": "shop"])), source: "containerd")
        store.publish(.generic(Self.pod), source: "kubernetes")
        #expect(wait { tagger.tags(forEntity: "container_id://c1", cardinality: .low)?.contains("kube_deployment:web") == true })
        let tags = tagger.tags(forEntity: "container_id://c1", cardinality: .orchestrator) ?? []
        #expect(tags.filter { $0.hasPrefix("pod_name:") } == ["pod_name:web-5d8f7c9b6-x"])
        #expect(tags.filter { $0.hasPrefix("kube_namespace:") } == ["kube_namespace:shop"])
    }
}
