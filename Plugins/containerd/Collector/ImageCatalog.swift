import ContainerdImageIndex
import VigilEntities

/// Consolidates image references (one per containerd image record, per namespace) into
/// one image per config digest carrying all its references.
struct ImageCatalog: Sendable {
    struct Reference: Hashable, Sendable {
        var namespace: String
        var name: String
    }

    private(set) var digestByReference: [Reference: String] = [:]
    private(set) var referencesByDigest: [String: Set<Reference>] = [:]
    private(set) var contentByDigest: [String: ImageContent] = [:]

    /// Records that `reference` points at the image `content`. Returns the digests whose
    /// reference set changed (the new one, and the old one if the reference moved).
    @discardableResult
    mutating func set(_ reference: Reference, content: ImageContent) -> Set<String> {
        var changed: Set<String> = [content.configDigest]
        if let old = digestByReference[reference], old != content.configDigest {
            detach(reference, from: old)
            changed.insert(old)
        }
        digestByReference[reference] = content.configDigest
        referencesByDigest[content.configDigest, default: []].insert(reference)
        contentByDigest[content.configDigest] = content
        return changed
    }

    /// Forgets a reference; returns the digest it pointed at, if any.
    @discardableResult
    mutating func remove(_ reference: Reference) -> String? {
        guard let digest = digestByReference.removeValue(forKey: reference) else { return nil }
        detach(reference, from: digest)
        return digest
    }

    private mutating func detach(_ reference: Reference, from digest: String) {
        referencesByDigest[digest]?.remove(reference)
        if referencesByDigest[digest]?.isEmpty == true {
            referencesByDigest[digest] = nil
            contentByDigest[digest] = nil
        }
    }

    var digests: Dictionary<String, Set<Reference>>.Keys { referencesByDigest.keys }

    func contains(_ digest: String) -> Bool { referencesByDigest[digest] != nil }

    /// The consolidated image, or nil when nothing references the digest any more.
    func image(digest: String) -> Image? {
        guard let references = referencesByDigest[digest], let content = contentByDigest[digest] else { return nil }
        let names = Set(references.map(\.name)).sorted()
        let tags = names.filter { !$0.contains("@") }
        let digests = names.filter { $0.contains("@") }
        let preferred = tags.first ?? digests.first ?? ""
        return Image(
            id: digest, name: ImageReference(preferred).name, repoTags: tags, repoDigests: digests,
            layers: content.layers, mediaType: content.mediaType, os: content.os,
            architecture: content.architecture, variant: content.variant,
            sizeBytes: content.sizeBytes, createdAt: content.createdAt)
    }
}
