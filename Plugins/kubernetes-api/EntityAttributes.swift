import VigilEntities

extension Pod {
    /// Annotations not copied: they repeat the whole object.
    static let skippedAnnotations: Set<String> = ["kubectl.kubernetes.io/last-applied-configuration"]

    /// The pod as a workload entity (kind pod, id its uid); keys in `PodAttributes`.
    public var entity: GenericEntity {
        typealias K = PodAttributes
        var a: [String: String] = [K.name: metadata.name, K.uid: metadata.uid]
        a[K.namespace] = metadata.namespace ?? "default"
        if let node = spec?.nodeName, !node.isEmpty { a[K.node] = node }
        if let phase = status?.phase { a[K.phase] = phase }
        if let qos = status?.qosClass { a[K.qosClass] = qos }
        if let ip = status?.podIP, !ip.isEmpty { a[K.ip] = ip }
        let owners = metadata.ownerReferences ?? []
        if let owner = owners.first(where: { $0.controller == true }) ?? owners.first {
            a[K.ownerKind] = owner.kind
            a[K.ownerName] = owner.name
            if owner.kind == "ReplicaSet" {
                a[K.replicaSet] = owner.name
                if let deployment = Pod.deployment(ofReplicaSet: owner.name, templateHash: metadata.labels?["pod-template-hash"]) {
                    a[K.deployment] = deployment
                }
            }
        }
        for (key, value) in metadata.labels ?? [:] { a[K.labelPrefix + key] = value }
        for (key, value) in metadata.annotations ?? [:] where !Pod.skippedAnnotations.contains(key) {
            a[K.annotationPrefix + key] = value
        }
        let statuses = (status?.containerStatuses ?? []) + (status?.initContainerStatuses ?? [])
        for container in (spec?.containers ?? []) + (spec?.initContainers ?? []) {
            let name = container.name
            if let image = container.image { a[K.container(name, "image")] = image }
            for (field, value) in [("cpu_request", container.resources?.requests?["cpu"]),
                                   ("memory_request", container.resources?.requests?["memory"]),
                                   ("cpu_limit", container.resources?.limits?["cpu"]),
                                   ("memory_limit", container.resources?.limits?["memory"])] {
                if let value, let parsed = Quantity.parse(value) { a[K.container(name, field)] = Quantity.format(parsed) }
            }
            a[K.container(name, "id")] = ""
        }
        for status in statuses {
            let (runtime, id) = Pod.splitContainerID(status.containerID ?? "")
            a[K.container(status.name, "id")] = id
            if !runtime.isEmpty { a[K.container(status.name, "runtime")] = runtime }
        }
        // Containers that have not started have no id yet: no empty id attribute.
        for key in a.keys where key.hasSuffix(":id") && key.hasPrefix(K.containerPrefix) && a[key]!.isEmpty { a[key] = nil }
        return GenericEntity(kind: .pod, id: metadata.uid, attributes: a)
    }

    /// "containerd://abc" → ("containerd", "abc").
    static func splitContainerID(_ text: String) -> (String, String) {
        guard let range = text.range(of: "://") else { return ("", text) }
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
    }

    /// A Deployment's ReplicaSet is named "<deployment>-<pod-template-hash>".
    static func deployment(ofReplicaSet name: String, templateHash: String?) -> String? {
        if let hash = templateHash, !hash.isEmpty, name.hasSuffix("-" + hash) {
            return String(name.dropLast(hash.count + 1))
        }
        return nil
    }
}

extension DatadogPodAutoscaler {
    /// The entity id: "<namespace>/<name>".
    public var entityID: String { "\(metadata.namespace ?? "default")/\(metadata.name)" }

    /// The autoscaler as a workload entity; keys in `AutoscalerAttributes`.
    public var entity: GenericEntity {
        typealias K = AutoscalerAttributes
        var a: [String: String] = [K.name: metadata.name, K.namespace: metadata.namespace ?? "default", K.uid: metadata.uid]
        if let target = spec?.targetRef {
            a[K.targetKind] = target.kind
            a[K.targetName] = target.name
            if let version = target.apiVersion { a[K.targetAPIVersion] = version }
        }
        if let owner = spec?.owner { a[K.owner] = owner }
        if let min = spec?.constraints?.minReplicas { a[K.minReplicas] = String(min) }
        if let max = spec?.constraints?.maxReplicas { a[K.maxReplicas] = String(max) }
        for (index, objective) in (spec?.objectives ?? []).enumerated() {
            a[K.objective(index, "type")] = objective.type
            if let resource = objective.podResource ?? objective.containerResource {
                a[K.objective(index, "resource")] = resource.name
                if let container = resource.container { a[K.objective(index, "container")] = container }
                if let utilization = resource.value?.utilization { a[K.objective(index, "utilization")] = String(utilization) }
            }
        }
        for constraint in spec?.constraints?.containers ?? [] {
            let name = constraint.name
            if let enabled = constraint.enabled { a[K.constraint(name, "enabled")] = String(enabled) }
            for (field, value) in [("min_cpu", constraint.requests?.minAllowed?["cpu"]),
                                   ("min_memory", constraint.requests?.minAllowed?["memory"]),
                                   ("max_cpu", constraint.requests?.maxAllowed?["cpu"]),
                                   ("max_memory", constraint.requests?.maxAllowed?["memory"])] {
                if let value, let parsed = Quantity.parse(value) { a[K.constraint(name, field)] = Quantity.format(parsed) }
            }
        }
        return GenericEntity(kind: .autoscaler, id: entityID, attributes: a)
    }
}
