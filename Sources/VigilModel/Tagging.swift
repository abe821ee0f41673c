/// Tag cardinality, as the tagger defines it (same numbering as the C ABI).
public enum TagCardinality: Int, Sendable, Codable, CaseIterable {
    case low = 0
    case orchestrator = 1
    case high = 2

    public init?(name: String) {
        switch name.lowercased() {
        case "low": self = .low
        case "orchestrator", "orch": self = .orchestrator
        case "high": self = .high
        default: return nil
        }
    }
}

/// Answers "which tags does this entity carry?" Entity ids are prefixed by
/// kind: `container_id://<id>`, `image_id://<digest>`.
public protocol TagProvider: Sendable {
    func tags(forEntity entityID: String, cardinality: TagCardinality) -> [String]?
    /// The container whose cgroup path this is, for origin detection on paths
    /// that do not embed a 64-hex id.
    func containerID(forCgroupPath path: String) -> String?
}
