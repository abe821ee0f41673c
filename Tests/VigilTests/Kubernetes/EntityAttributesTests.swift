import Foundation
import KubernetesAPI
import Testing
import VigilEntities
import VigilTestSupport

@Suite struct EntityAttributesTests {
    func decode<T: Decodable>(_ type: T.Type, _ object: [String: Any]) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: object))
    }

    @Test func podAttributes() throws {
        var object = KubernetesAPIDouble.pod(name: "web-5d8f7c9b6-x2x", containers: [("app", "abc123"), ("sidecar", "")],
                                            labels: ["team": "shop"])
        var meta = object["metadata"] as! [String: Any]
        meta["uid"] = "uid-1"
        meta["annotations"] = ["kubectl.kubernetes.io/last-applied-configuration": "{...}", "note": "n"]
        object["metadata"] = meta
        let pod = try decode(Pod.self, object)
        let entity = pod.entity
        #expect(entity.kind == .pod)
        #expect(entity.id == "uid-1")
        let a = entity.attributes
        #expect(a["name"] == "web-5d8f7c9b6-x2x")
        #expect(a["namespace"] == "default")
        #expect(a["node"] == "node-a")
        #expect(a["owner_kind"] == "ReplicaSet")
        #expect(a["owner_name"] == "web-5d8f7c9b6")
        #expect(a["replica_set"] == "web-5d8f7c9b6")
        #expect(a["deployment"] == "web")
        #expect(a["qos_class"] == "Burstable")
        #expect(a["label:team"] == "shop")
        #expect(a["annotation:note"] == "n")
        #expect(a["annotation:kubectl.kubernetes.io/last-applied-configuration"] == nil)
        #expect(a["container:app:id"] == "abc123")
        #expect(a["container:app:runtime"] == "containerd")
        #expect(a["container:app:cpu_request"] == "0.25")
        #expect(a["container:app:memory_request"] == "67108864")
        #expect(a["container:app:cpu_limit"] == "1")
        // Not started: no id.
        #expect(a["container:sidecar:id"] == nil)
        #expect(PodAttributes.containerIDs(a) == ["abc123": "app"])
        #expect(PodAttributes.containerNames(a) == ["app", "sidecar"])
    }

    @Test func aReplicaSetWithoutTheTemplateHashNamesNoDeployment() throws {
        var object = KubernetesAPIDouble.pod(name: "p", deployment: "web")
        var meta = object["metadata"] as! [String: Any]
        meta["uid"] = "u"
        meta["labels"] = [:] as [String: String]
        object["metadata"] = meta
        let a = try decode(Pod.self, object).entity.attributes
        #expect(a["replica_set"] == "web-5d8f7c9b6")
        #expect(a["deployment"] == nil)
    }

    @Test func autoscalerAttributes() throws {
        var object = KubernetesAPIDouble.autoscaler(name: "web-dpa", namespace: "shop", utilization: 70, minReplicas: 2, maxReplicas: 8)
        var meta = object["metadata"] as! [String: Any]
        meta["uid"] = "dpa-uid"
        object["metadata"] = meta
        let dpa = try decode(DatadogPodAutoscaler.self, object)
        let entity = dpa.entity
        #expect(entity.kind == .autoscaler)
        #expect(entity.id == "shop/web-dpa")
        let a = entity.attributes
        #expect(a["target_kind"] == "Deployment")
        #expect(a["target_name"] == "web")
        #expect(a["target_api_version"] == "apps/v1")
        #expect(a["owner"] == "Local")
        #expect(a["min_replicas"] == "2")
        #expect(a["max_replicas"] == "8")
        #expect(a["constraint:app:enabled"] == "true")
        #expect(a["constraint:app:min_cpu"] == "0.1")
        #expect(a["constraint:app:max_memory"] == "1073741824")
        #expect(AutoscalerAttributes.objectives(a) == [.init(type: "PodResource", resource: "cpu", utilization: 70)])
    }
}
