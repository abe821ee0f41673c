import ContainerdImageIndex
import Testing
import VigilEntities

/// The containerd module's catalog: references linked to targets and images (by hash, no
/// names kept), where an image's references are to be listed, the one target whose facts
/// describe it, and the fingerprint that lets a sync skip an unchanged image.
@Suite struct ImageCatalogTests {
    typealias Reference = ImageCatalog.Reference
    typealias Link = ImageCatalog.Link

    static func facts(_ config: String, layers: [String] = ["sha256:l1"]) -> ImageContent {
        ImageContent(configDigest: config, layers: layers, mediaType: "application/vnd.oci.image.manifest.v1+json",
                     os: "linux", architecture: "amd64", variant: "", sizeBytes: 10, createdAt: 1)
    }

    static func record(_ namespace: String, _ name: String, _ target: String) -> ListedImage {
        ListedImage(namespace: namespace, name: name,
                    target: .init(digest: target, mediaType: "application/vnd.oci.image.manifest.v1+json", size: 100))
    }

    @Test func referencesOfOneConfigMakeOneImageWithTagsAndDigestsApart() throws {
        var catalog = ImageCatalog()
        let records = [Self.record("a", "docker.io/library/redis:7", "sha256:m1"),
                       Self.record("b", "docker.io/library/redis:7", "sha256:m1"),
                       Self.record("a", "docker.io/library/redis@sha256:m1", "sha256:m1")]
        for r in records { catalog.set(Reference(namespace: r.namespace, name: r.name), Link(target: r.target.digest, config: "sha256:c1")) }
        let names = catalog.names(of: "sha256:c1", among: records + [Self.record("a", "unlinked:1", "sha256:m1")])
        #expect(names == ["docker.io/library/redis:7", "docker.io/library/redis@sha256:m1"])
        let image = try #require(catalog.image(config: "sha256:c1", names: names, content: Self.facts("sha256:c1")))
        #expect(image.id == "sha256:c1")
        #expect(image.name == "docker.io/library/redis")
        #expect(image.repoTags == ["docker.io/library/redis:7"])  // one name, though two namespaces hold it
        #expect(image.repoDigests == ["docker.io/library/redis@sha256:m1"])
        #expect(image.layers == ["sha256:l1"])
        #expect(Array(catalog.configs) == ["sha256:c1"])
        // Where to list its references again: the target in each namespace, with its count.
        #expect(catalog.targets(of: "sha256:c1").sorted { $0.namespace < $1.namespace } == [
            .init(namespace: "a", target: "sha256:m1", references: 2), .init(namespace: "b", target: "sha256:m1", references: 1)])
        #expect(catalog.referenceCount == 3)
        #expect(catalog.referenceCount(of: "sha256:c1") == 3)
        #expect(MemoryLayout<ImageCatalog.TargetUse>.stride == 56)
    }

    @Test func aMovedReferenceChangesBothImagesAndTheLastOneGoneEndsTheImage() {
        var catalog = ImageCatalog()
        let tag = Reference(namespace: "a", name: "app:1")
        let other = Reference(namespace: "a", name: "app:old")
        catalog.set(tag, Link(target: "sha256:m1", config: "sha256:c1"))
        catalog.set(other, Link(target: "sha256:m1", config: "sha256:c1"))
        #expect(catalog.set(other, Link(target: "sha256:m1", config: "sha256:c1")).isEmpty, "the same link changes nothing")
        #expect(catalog.set(tag, Link(target: "sha256:m2", config: "sha256:c2")) == ["sha256:c1", "sha256:c2"])
        #expect(catalog.link(of: tag) == Link(target: "sha256:m2", config: "sha256:c2"))
        #expect(catalog.targets(of: "sha256:c1") == [.init(namespace: "a", target: "sha256:m1", references: 1)])
        let records = [Self.record("a", "app:1", "sha256:m2"), Self.record("a", "app:old", "sha256:m1")]
        #expect(catalog.names(of: "sha256:c1", among: records) == ["app:old"])
        #expect(catalog.remove(other) == "sha256:c1")
        #expect(!catalog.contains("sha256:c1"))
        #expect(catalog.targets(of: "sha256:c1").isEmpty)
        #expect(catalog.image(config: "sha256:c1", names: ["app:old"], content: Self.facts("sha256:c1")) == nil)
        #expect(catalog.fingerprint(of: "sha256:c1", names: ["app:old"]) == nil)
        #expect(catalog.remove(other) == nil)
        #expect(catalog.contains("sha256:c2"))
        #expect(catalog.configsByTarget() == ["sha256:m2": "sha256:c2"])
    }

    @Test func theDescribingTargetIsTheLeastWhateverTheOrder() throws {
        let references = [
            (Reference(namespace: "a", name: "x:1"), Link(target: "sha256:bb", config: "sha256:c")),
            (Reference(namespace: "b", name: "x@sha256:aa"), Link(target: "sha256:aa", config: "sha256:c")),
            (Reference(namespace: "a", name: "x:2"), Link(target: "sha256:cc", config: "sha256:c")),
        ]
        var forward = ImageCatalog()
        for (reference, link) in references { forward.set(reference, link) }
        var backward = ImageCatalog()
        for (reference, link) in references.reversed() { backward.set(reference, link) }
        #expect(forward.describingTarget(of: "sha256:c") == "sha256:aa")
        #expect(backward.describingTarget(of: "sha256:c") == "sha256:aa")
        let names = ["x:1", "x:2", "x@sha256:aa"]
        #expect(forward.fingerprint(of: "sha256:c", names: names) == backward.fingerprint(of: "sha256:c", names: names))
    }

    @Test func theFingerprintFollowsNamesAndTargetsButNotNamespaces() throws {
        var catalog = ImageCatalog()
        catalog.set(Reference(namespace: "a", name: "app:1"), Link(target: "sha256:m1", config: "sha256:c"))
        let first = try #require(catalog.fingerprint(of: "sha256:c", names: ["app:1"]))
        // The same name in another namespace: the image (names, facts) is unchanged.
        catalog.set(Reference(namespace: "b", name: "app:1"), Link(target: "sha256:m1", config: "sha256:c"))
        #expect(catalog.fingerprint(of: "sha256:c", names: ["app:1"]) == first)
        // A new tag changes the image.
        catalog.set(Reference(namespace: "a", name: "app:latest"), Link(target: "sha256:m1", config: "sha256:c"))
        let tagged = try #require(catalog.fingerprint(of: "sha256:c", names: ["app:1", "app:latest"]))
        #expect(tagged != first)
        // A reference re-pointed at another target of the same config (an index beside its
        // manifest): a lesser target describes the image now.
        #expect(catalog.set(Reference(namespace: "a", name: "app:1"), Link(target: "sha256:m0", config: "sha256:c")) == ["sha256:c"])
        #expect(catalog.describingTarget(of: "sha256:c") == "sha256:m0")
        #expect(catalog.fingerprint(of: "sha256:c", names: ["app:1", "app:latest"]) != tagged)
        #expect(catalog.referenceCount == 3)
    }

    @Test func oneCopyOfEachConfigDigestHoweverManyReferences() throws {
        var catalog = ImageCatalog()
        // Equal values in separate storage, as two pages of a listing or two facts give them.
        let target = "sha256:" + String(repeating: "ab", count: 32)
        let configs = (0..<3).map { _ in String("sha256:" + String(repeating: "cd", count: 32)) }
        for i in 0..<3 { catalog.set(Reference(namespace: "a", name: "app:\(i)"), Link(target: target, config: configs[i])) }
        let links = try (0..<3).map { try #require(catalog.link(of: Reference(namespace: "a", name: "app:\($0)"))) }
        let configStorage = Set(links.map { $0.config.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) } })
        #expect(configStorage.count == 1)
        #expect(links.allSatisfy { $0.target == target })
        #expect(catalog.targets(of: configs[0]) == [.init(namespace: "a", target: target, references: 3)])
    }
}
