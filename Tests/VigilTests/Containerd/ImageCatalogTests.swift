import ContainerdImageIndex
import Testing
import VigilEntities

/// The containerd module's catalog: references linked to targets and images, the one
/// target whose facts describe an image, and the fingerprint that lets a sync skip an
/// unchanged image without reading its facts.
@Suite struct ImageCatalogTests {
    typealias Reference = ImageCatalog.Reference
    typealias Link = ImageCatalog.Link

    static func facts(_ config: String, layers: [String] = ["sha256:l1"]) -> ImageContent {
        ImageContent(configDigest: config, layers: layers, mediaType: "application/vnd.oci.image.manifest.v1+json",
                     os: "linux", architecture: "amd64", variant: "", sizeBytes: 10, createdAt: 1)
    }

    @Test func referencesOfOneConfigMakeOneImageWithTagsAndDigestsApart() throws {
        var catalog = ImageCatalog()
        catalog.set(Reference(namespace: "a", name: "docker.io/library/redis:7"), Link(target: "sha256:m1", config: "sha256:c1"))
        catalog.set(Reference(namespace: "b", name: "docker.io/library/redis:7"), Link(target: "sha256:m1", config: "sha256:c1"))
        catalog.set(Reference(namespace: "a", name: "docker.io/library/redis@sha256:m1"), Link(target: "sha256:m1", config: "sha256:c1"))
        let image = try #require(catalog.image(config: "sha256:c1", content: Self.facts("sha256:c1")))
        #expect(image.id == "sha256:c1")
        #expect(image.name == "docker.io/library/redis")
        #expect(image.repoTags == ["docker.io/library/redis:7"])  // one name, though two namespaces hold it
        #expect(image.repoDigests == ["docker.io/library/redis@sha256:m1"])
        #expect(image.layers == ["sha256:l1"])
        #expect(Array(catalog.configs) == ["sha256:c1"])
    }

    @Test func aMovedReferenceChangesBothImagesAndTheLastOneGoneEndsTheImage() {
        var catalog = ImageCatalog()
        let tag = Reference(namespace: "a", name: "app:1")
        let other = Reference(namespace: "a", name: "app:old")
        catalog.set(tag, Link(target: "sha256:m1", config: "sha256:c1"))
        catalog.set(other, Link(target: "sha256:m1", config: "sha256:c1"))
        #expect(catalog.set(tag, Link(target: "sha256:m2", config: "sha256:c2")) == ["sha256:c1", "sha256:c2"])
        #expect(catalog.links[tag]?.config == "sha256:c2")
        #expect(catalog.image(config: "sha256:c1", content: Self.facts("sha256:c1"))?.repoTags == ["app:old"])
        #expect(catalog.remove(other) == "sha256:c1")
        #expect(!catalog.contains("sha256:c1"))
        #expect(catalog.image(config: "sha256:c1", content: Self.facts("sha256:c1")) == nil)
        #expect(catalog.fingerprint(of: "sha256:c1") == nil)
        #expect(catalog.remove(other) == nil)
        #expect(catalog.contains("sha256:c2"))
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
        let describing = try #require(forward.describingTarget(of: "sha256:c"))
        #expect(describing.target == "sha256:aa")
        #expect(describing.reference == Reference(namespace: "b", name: "x@sha256:aa"))
        #expect(backward.describingTarget(of: "sha256:c")?.target == "sha256:aa")
        #expect(forward.fingerprint(of: "sha256:c") == backward.fingerprint(of: "sha256:c"))
    }

    @Test func theFingerprintFollowsNamesAndTargetsButNotNamespaces() throws {
        var catalog = ImageCatalog()
        catalog.set(Reference(namespace: "a", name: "app:1"), Link(target: "sha256:m1", config: "sha256:c"))
        let first = try #require(catalog.fingerprint(of: "sha256:c"))
        // The same name in another namespace: the image (names, facts) is unchanged.
        catalog.set(Reference(namespace: "b", name: "app:1"), Link(target: "sha256:m1", config: "sha256:c"))
        #expect(catalog.fingerprint(of: "sha256:c") == first)
        // A new tag changes the image.
        catalog.set(Reference(namespace: "a", name: "app:latest"), Link(target: "sha256:m1", config: "sha256:c"))
        let tagged = try #require(catalog.fingerprint(of: "sha256:c"))
        #expect(tagged != first)
        // A reference re-pointed at another target of the same config (an index beside its
        // manifest): a lesser target describes the image now.
        catalog.set(Reference(namespace: "a", name: "app:1"), Link(target: "sha256:m0", config: "sha256:c"))
        #expect(catalog.describingTarget(of: "sha256:c")?.target == "sha256:m0")
        #expect(catalog.fingerprint(of: "sha256:c") != tagged)
        #expect(catalog.links.count == 3)
    }
}
