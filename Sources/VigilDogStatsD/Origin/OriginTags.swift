import VigilModel

/// The tags an origin adds to everything it sends, with their hashes
/// precomputed so that contexts can be keyed without touching the strings.
struct OriginTags {
    var containerID: String?
    var tags: [String]
    var tagHashes: [UInt64]
    /// The container, for the per-origin context bound; 0 when unknown.
    var originKey: UInt64

    static let none = OriginTags(containerID: nil, tags: [], tagHashes: [])

    init(containerID: String?, tags: [String], tagHashes: [UInt64]) {
        self.containerID = containerID
        self.tags = tags
        self.tagHashes = tagHashes
        self.originKey = containerID.map { ContextKey.hash($0) | 1 } ?? 0
    }

    init(containerID: String?, tags: [String]) {
        self.init(containerID: containerID, tags: tags, tagHashes: tags.map { ContextKey.tagHash($0) })
    }
}
