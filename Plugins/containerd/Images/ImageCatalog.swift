import VigilEntities

/// Consolidates image references (one per containerd image record, per namespace) into
/// one image per config digest carrying all its references.
///
/// It keeps links only — which target (manifest or index digest) each reference names and
/// which image (config digest) that target resolves to — never the facts: those are
/// content-addressed by the target digest, so the cache file (or containerd) answers them
/// whenever an image has to be built, and 30,000 images' facts need not stay in memory
/// beside the store that already holds the published images.
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

    public private(set) var links: [Reference: Link] = [:]
    /// Each image's references; a handful each, so an array rather than a set.
    private var referencesByConfig: [String: [Reference]] = [:]

    public init() {}

    /// Records that `reference` names `link.target`, an image of config `link.config`.
    /// Returns the configs whose reference list changed (the new one, and the old one if
    /// the reference moved).
    @discardableResult
    public mutating func set(_ reference: Reference, _ link: Link) -> Set<String> {
        var changed: Set<String> = [link.config]
        if let old = links[reference] {
            if old.config != link.config {
                detach(reference, from: old.config)
                changed.insert(old.config)
            } else {
                links[reference] = link
                return changed
            }
        }
        links[reference] = link
        referencesByConfig[link.config, default: []].append(reference)
        return changed
    }

    /// Forgets a reference; returns the config it pointed at, if any.
    @discardableResult
    public mutating func remove(_ reference: Reference) -> String? {
        guard let link = links.removeValue(forKey: reference) else { return nil }
        detach(reference, from: link.config)
        return link.config
    }

    private mutating func detach(_ reference: Reference, from config: String) {
        guard var references = referencesByConfig[config] else { return }
        references.removeAll { $0 == reference }
        referencesByConfig[config] = references.isEmpty ? nil : references
    }

    public var configs: Dictionary<String, [Reference]>.Keys { referencesByConfig.keys }

    public func contains(_ config: String) -> Bool { referencesByConfig[config] != nil }

    /// The target whose facts describe the image — the least target digest among its
    /// references, so that every sync picks the same one — and a reference naming it.
    public func describingTarget(of config: String) -> (target: String, reference: Reference)? {
        guard let references = referencesByConfig[config] else { return nil }
        var best: (target: String, reference: Reference)?
        for reference in references {
            guard let link = links[reference] else { continue }
            if best == nil || link.target < best!.target { best = (link.target, reference) }
        }
        return best
    }

    /// What the published image is made of (its sorted names and describing target), hashed:
    /// equal fingerprints mean an equal image, with no facts read, since a target's facts
    /// never change. Nil when nothing references the config any more.
    public func fingerprint(of config: String) -> Int? {
        guard let target = describingTarget(of: config)?.target else { return nil }
        var hasher = Hasher()
        hasher.combine(config)
        hasher.combine(target)
        for name in names(of: config) { hasher.combine(name) }
        return hasher.finalize()
    }

    private func names(of config: String) -> [String] {
        Set((referencesByConfig[config] ?? []).map(\.name)).sorted()
    }

    /// The consolidated image, built from `content` (the describing target's facts).
    public func image(config: String, content: ImageContent) -> Image? {
        guard referencesByConfig[config] != nil else { return nil }
        let names = names(of: config)
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
