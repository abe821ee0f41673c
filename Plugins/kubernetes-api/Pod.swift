/// A pod, as much of it as Vigil reads.
public struct Pod: KubernetesObject {
    public struct Resources: Decodable, Sendable, Equatable {
        public var requests: [String: String]?
        public var limits: [String: String]?
    }
    public struct ContainerSpec: Decodable, Sendable, Equatable {
        public var name: String
        public var image: String?
        public var resources: Resources?
    }
    public struct Spec: Decodable, Sendable, Equatable {
        public var nodeName: String?
        public var containers: [ContainerSpec]?
        public var initContainers: [ContainerSpec]?
    }
    public struct ContainerStatus: Decodable, Sendable, Equatable {
        public var name: String
        public var containerID: String?
        public var ready: Bool?
        public var restartCount: Int?
    }
    public struct Status: Decodable, Sendable, Equatable {
        public var phase: String?
        public var qosClass: String?
        public var podIP: String?
        public var containerStatuses: [ContainerStatus]?
        public var initContainerStatuses: [ContainerStatus]?
    }

    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?
}

/// A DatadogPodAutoscaler (datadoghq.com/v1alpha2), as much of it as Vigil reads.
public struct DatadogPodAutoscaler: KubernetesObject {
    public struct TargetRef: Decodable, Sendable, Equatable {
        public var apiVersion: String?
        public var kind: String
        public var name: String
    }
    public struct ObjectiveValue: Decodable, Sendable, Equatable {
        public var type: String?
        public var utilization: Int?
    }
    public struct ResourceObjective: Decodable, Sendable, Equatable {
        public var name: String
        public var container: String?
        public var value: ObjectiveValue?
    }
    public struct Objective: Decodable, Sendable, Equatable {
        public var type: String
        public var podResource: ResourceObjective?
        public var containerResource: ResourceObjective?
    }
    public struct Bounds: Decodable, Sendable, Equatable {
        public var minAllowed: [String: String]?
        public var maxAllowed: [String: String]?
    }
    public struct ContainerConstraint: Decodable, Sendable, Equatable {
        public var name: String
        public var enabled: Bool?
        public var requests: Bounds?
    }
    public struct Constraints: Decodable, Sendable, Equatable {
        public var minReplicas: Int?
        public var maxReplicas: Int?
        public var containers: [ContainerConstraint]?
    }
    public struct Spec: Decodable, Sendable, Equatable {
        public var targetRef: TargetRef?
        public var owner: String?
        public var objectives: [Objective]?
        public var constraints: Constraints?
    }

    public var metadata: ObjectMeta
    public var spec: Spec?
}
