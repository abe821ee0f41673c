import VigilEntities

/// Consolidates image references (one per containerd image record, per namespace) into
/// one image per config digest.
///
/// It keeps links only, and no names: which target (manifest or index digest) each
/// reference names and which image (config digest) that target resolves to, the reference
/// known by a hash of its namespace and name. The names an image is published with come
/// from the records that name it — the listing, during a sync; a listing filtered by the
/// image's targets (`targets(of:)`), after an event — and facts are content-addressed by
/// target digest, so the cache file (or containerd) answers them. At 90,000 references the
/// names alone were a third of what the module kept beside the store, which holds them too.
///
/// A reference is its hash here: two references of one node whose 64-bit hashes collide
/// (odds about n²/2⁶⁵, 3·10⁻¹⁰ at 100,000) would share one link, as two images with equal
/// fingerprints would be taken for one.
public struct ImageCatalog: Sendable {
    public struct Reference: Hashable, Sendable {
        public var namespace: String
        public var name: String

        public init(namespace: String, name: String) {
            self.namespace = namespace
            self.name = name
        }
    }

    public struct Link: Equatable, Sendable {
        /// The image record's target digest: its manifest, or its index.
        public var target: String
        /// The config digest: the image's id.
        public var config: String

        public init(target: String, config: String) {
            self.target = target
            self.config = config
        }
    }

    /// What the catalog keeps of a link: the config, and the target by its hash (the image's
    /// `TargetUse` holds the digest itself, once for all the references naming it).
    /// `target` is the hash of the target's `CompactDigest`.
    struct StoredLink: Sendable {
        var config: String
        var target: Int
    }

    /// A target an image is named by in one namespace, and by how many references there.
    /// 56 bytes, so that an image's array of one fits glibc's 96-byte chunk.
    public struct TargetUse: Equatable, Sendable {
        public var namespace: String
        var digest: CompactDigest
        public var references: Int32

        public var target: String { digest.string }

        public init(namespace: String, target: String, references: Int32) {
            self.init(namespace: namespace, digest: CompactDigest(target), references: references)
        }

        init(namespace: String, digest: CompactDigest, references: Int32) {
            self.namespace = namespace
            self.digest = digest
            self.references = references
        }
    }

    private var links: [Int: StoredLink] = [:]
    /// Each image's targets; one or two each (a manifest, perhaps its index), so an array.
    private var uses: [String: [TargetUse]] = [:]

    public init() {}

    /// Records that `reference` names `link.target`, an image of config `link.config`.
    /// Returns the configs whose references changed (the new one, and the old one if the
    /// reference moved); none when the reference already named that target.
    @discardableResult
    public mutating func set(_ reference: Reference, _ link: Link) -> Set<String> {
        let key = reference.hashValue
        let digest = CompactDigest(link.target)
        var changed: Set<String> = []
        if let old = links[key] {
            if old.config == link.config && old.target == digest.hashValue { return [] }
            detach(reference.namespace, from: old)
            changed.insert(old.config)
        }
        links[key] = attach(reference.namespace, to: link.config, digest)
        changed.insert(link.config)
        return changed
    }

    /// Forgets a reference; returns the config it pointed at, if any.
    @discardableResult
    public mutating func remove(_ reference: Reference) -> String? {
        guard let link = links.removeValue(forKey: reference.hashValue) else { return nil }
        detach(reference.namespace, from: link)
        return link.config
    }

    /// Counts one more reference to `digest` (of image `linkConfig`) in `namespace`; returns
    /// what to keep of the link, with the config digest the catalog already holds (one copy, however many references;
    /// targets are kept as `CompactDigest`s).
    private mutating func attach(_ namespace: String, to linkConfig: String, _ digest: CompactDigest) -> StoredLink {
        var config = linkConfig
        if let index = uses.index(forKey: config) { config = uses.keys[index] }
        var targets = uses.removeValue(forKey: config) ?? []
        if let j = targets.firstIndex(where: { $0.digest == digest && $0.namespace == namespace }) {
            targets[j].references += 1
        } else {
            targets.append(TargetUse(namespace: namespace, digest: digest, references: 1))
        }
        uses[config] = targets
        return StoredLink(config: config, target: digest.hashValue)
    }

    private mutating func detach(_ namespace: String, from link: StoredLink) {
        guard var targets = uses.removeValue(forKey: link.config) else { return }
        if let i = targets.firstIndex(where: { $0.digest.hashValue == link.target && $0.namespace == namespace }) {
            targets[i].references -= 1
            if targets[i].references == 0 { targets.remove(at: i) }
        }
        if !targets.isEmpty { uses[link.config] = targets }
    }

    public func link(of reference: Reference) -> Link? {
        guard let stored = links[reference.hashValue],
              let use = uses[stored.config]?.first(where: { $0.digest.hashValue == stored.target }) else { return nil }
        return Link(target: use.target, config: stored.config)
    }

    /// The config `reference` resolves to.
    public func config(of reference: Reference) -> String? { links[reference.hashValue]?.config }

    public var referenceCount: Int { links.count }

    /// How many references name `config`'s image, across its targets and namespaces.
    public func referenceCount(of config: String) -> Int { uses[config]?.reduce(0) { $0 + Int($1.references) } ?? 0 }

    public var configs: Dictionary<String, [TargetUse]>.Keys { uses.keys }

    public func contains(_ config: String) -> Bool { uses[config] != nil }

    /// Where `config`'s references are: list these targets in these namespaces to have them.
    public func targets(of config: String) -> [TargetUse] { uses[config] ?? [] }

    /// Every target's image.
    public func configsByTarget() -> [String: String] {
        var result: [String: String] = [:]
        result.reserveCapacity(uses.count)
        for (config, targets) in uses {
            for use in targets { result[use.target] = config }
        }
        return result
    }

    /// The target whose facts describe the image: the least target digest among its
    /// references, so that every sync picks the same one.
    public func describingTarget(of config: String) -> String? { leastTarget(of: config)?.string }

    private func leastTarget(of config: String) -> CompactDigest? { uses[config]?.lazy.map(\.digest).min() }

    /// The names among `records` of references that link to `config`, each once and sorted.
    public func names(of config: String, among records: [ListedImage]) -> [String] {
        var names: Set<String> = []
        for record in records where self.config(of: Reference(namespace: record.namespace, name: record.name)) == config {
            names.insert(record.name)
        }
        return names.sorted()
    }

    /// What the published image is made of (its config, describing target and `names`),
    /// hashed: equal fingerprints mean an equal image, with no facts read, since a target's
    /// facts never change. Nil when nothing references the config any more.
    public func fingerprint(of config: String, names: [String]) -> Int? {
        // The digest itself, not its text: no string is built to be hashed.
        guard let target = leastTarget(of: config) else { return nil }
        var hasher = Hasher()
        hasher.combine(config)
        hasher.combine(target)
        for name in names { hasher.combine(name) }
        return hasher.finalize()
    }

    /// The consolidated image of `names` (sorted, from `names(of:among:)`), built from
    /// `content` (the describing target's facts).
    public func image(config: String, names: [String], content: ImageContent) -> Image? {
        guard uses[config] != nil, !names.isEmpty else { return nil }
        let tags = names.filter { !$0.contains("@") }
        let digests = names.filter { $0.contains("@") }
        let preferred = tags.first ?? digests.first ?? ""
        return Image(
            id: config, name: ImageReference(preferred).name, repoTags: tags, repoDigests: digests,
            layers: content.layers, mediaType: content.mediaType, os: content.os,
            architecture: content.architecture, variant: content.variant,
            sizeBytes: content.sizeBytes, createdAt: content.createdAt)
    }
}
