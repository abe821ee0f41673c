/// The attribute keys of pod entities (`VIGIL_ENTITY_POD`, id = the pod's uid),
/// which the kubernetes module writes and the tagger reads. Container keys
/// are `container:<name>:<field>`; container names are DNS labels, so they
/// hold no colon.
public enum PodAttributes {
    public static let name = "name"
    public static let namespace = "namespace"
    public static let uid = "uid"
    public static let node = "node"
    public static let phase = "phase"
    public static let qosClass = "qos_class"
    public static let ip = "ip"
    /// The controller owner's kind and name (a ReplicaSet, a StatefulSet, a Job, …).
    public static let ownerKind = "owner_kind"
    public static let ownerName = "owner_name"
    /// The Deployment owning the pod's ReplicaSet, and that ReplicaSet.
    public static let deployment = "deployment"
    public static let replicaSet = "replica_set"
    public static let labelPrefix = "label:"
    public static let annotationPrefix = "annotation:"
    public static let containerPrefix = "container:"

    /// "container:<name>:<field>"
    public static func container(_ name: String, _ field: String) -> String { "container:\(name):\(field)" }

    /// The pod's containers: runtime container id → container name, for those that have started.
    public static func containerIDs(_ attributes: [String: String]) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in attributes where key.hasPrefix(containerPrefix) && key.hasSuffix(":id") && !value.isEmpty {
            let name = key.dropFirst(containerPrefix.count).dropLast(3)
            out[value] = String(name)
        }
        return out
    }

    /// The names of the pod's containers.
    public static func containerNames(_ attributes: [String: String]) -> [String] {
        var names = Set<String>()
        for key in attributes.keys where key.hasPrefix(containerPrefix) {
            let rest = key.dropFirst(containerPrefix.count)
            if let colon = rest.firstIndex(of: ":") { names.insert(String(rest[..<colon])) }
        }
        return names.sorted()
    }
}

/// The attribute keys of autoscaler entities (`VIGIL_ENTITY_AUTOSCALER`, id =
/// "<namespace>/<name>"), which the autoscaling module writes from
/// DatadogPodAutoscalers. Objectives are `objective:<index>:<field>`,
/// container constraints `constraint:<container>:<field>`.
public enum AutoscalerAttributes {
    public static let name = "name"
    public static let namespace = "namespace"
    public static let uid = "uid"
    public static let targetKind = "target_kind"
    public static let targetName = "target_name"
    public static let targetAPIVersion = "target_api_version"
    public static let owner = "owner"
    public static let minReplicas = "min_replicas"
    public static let maxReplicas = "max_replicas"

    public static func objective(_ index: Int, _ field: String) -> String { "objective:\(index):\(field)" }
    public static func constraint(_ container: String, _ field: String) -> String { "constraint:\(container):\(field)" }

    /// One utilization objective, read back from attributes.
    public struct Objective: Sendable, Equatable {
        /// "PodResource" or "ContainerResource".
        public var type: String
        /// "cpu" or "memory".
        public var resource: String
        public var container: String?
        /// Target utilization in percent.
        public var utilization: Int

        public init(type: String, resource: String, container: String? = nil, utilization: Int) {
            self.type = type
            self.resource = resource
            self.container = container
            self.utilization = utilization
        }
    }

    public static func objectives(_ attributes: [String: String]) -> [Objective] {
        var out: [Objective] = []
        var index = 0
        while let type = attributes[objective(index, "type")] {
            if let resource = attributes[objective(index, "resource")],
               let utilization = attributes[objective(index, "utilization")].flatMap({ Int($0) }) {
                out.append(Objective(type: type, resource: resource, container: attributes[objective(index, "container")],
                                     utilization: utilization))
            }
            index += 1
        }
        return out
    }
}
