/// Kinds of workload entity, numbered as `vigil_entity_kind` in the C ABI.
public enum EntityKind: Int, Sendable, CaseIterable, Codable {
    case container = 0
    case image = 1
    case pod = 2
    case autoscaler = 3

    public var name: String {
        switch self {
        case .container: "container"
        case .image: "image"
        case .pod: "pod"
        case .autoscaler: "autoscaler"
        }
    }

    public init?(name: String) {
        guard let kind = EntityKind.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = kind
    }
}

/// Container lifecycle state, numbered as `vigil_container_state` in the C ABI.
public enum ContainerState: Int, Sendable, Codable {
    case unknown = 0, created, running, paused, stopped

    public var name: String {
        switch self {
        case .unknown: "unknown"
        case .created: "created"
        case .running: "running"
        case .paused: "paused"
        case .stopped: "stopped"
        }
    }
}
