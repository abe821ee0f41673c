/// Tag cardinality, as the tagger defines it (same numbering as the C ABI).
public enum TagCardinality: Int, Sendable, Codable, CaseIterable, BitwiseCopyable {
    case low = 0
    case orchestrator = 1
    case high = 2

    /// `low`, `orchestrator` (or `orch`), `high`, in any case; `none` is not
    /// a tagger cardinality (see `OriginCardinality`).
    public init?(name: String) {
        guard case let .tags(cardinality)? = OriginCardinality(name: name) else { return nil }
        self = cardinality
    }
}

/// How many origin tags a client asks for: none at all, or the tagger's
/// tags at a cardinality. The one parser of cardinality names: the
/// configuration, DogStatsD's `|card:` field and `dd.internal.card:` tag all
/// go through it. Like the reference agent's `StringToTagCardinality`, it
/// accepts `none`, `low`, `orchestrator`, `orch` and `high` in any case.
public enum OriginCardinality: Equatable, Sendable, BitwiseCopyable {
    case none
    case tags(TagCardinality)

    public init?(name: String) {
        var name = name
        guard let parsed = name.withUTF8({ OriginCardinality(bytes: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// From raw bytes (a slice of a packet); allocates nothing.
    public init?(bytes: UnsafeRawBufferPointer) {
        if Self.matches(bytes, "none") { self = .none }
        else if Self.matches(bytes, "low") { self = .tags(.low) }
        else if Self.matches(bytes, "orchestrator") || Self.matches(bytes, "orch") { self = .tags(.orchestrator) }
        else if Self.matches(bytes, "high") { self = .tags(.high) }
        else { return nil }
    }

    /// ASCII case-insensitive equality with a lowercase literal.
    private static func matches(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let p = lowercase.utf8Start
        for i in 0..<bytes.count where bytes[i] | 0x20 != p[i] { return false }
        return true
    }
}

/// Answers "which tags does this entity carry?" Entity ids are prefixed by
/// kind: `container_id://<id>`, `image_id://<digest>`,
/// `kubernetes_pod_uid://<uid>`.
public protocol TagProvider: Sendable {
    func tags(forEntity entityID: String, cardinality: TagCardinality) -> [String]?
    /// The container whose cgroup path this is, for origin detection on paths
    /// that do not embed a 64-hex id.
    func containerID(forCgroupPath path: String) -> String?
}
