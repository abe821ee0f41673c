import ContainerdImageIndex
import Foundation
import Testing

/// The containerd module's image facts cache, on a real SQLite file.
@Suite struct ImageFactsCacheTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-imgcache-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var path: String { directory.appendingPathComponent("containerd-images.db").path }

    func facts(_ n: Int, layers: Int = 2) -> ImageContent {
        ImageContent(configDigest: "sha256:config\(n)", layers: (0..<layers).map { "sha256:layer\(n)-\($0)" },
                     mediaType: "application/vnd.oci.image.manifest.v1+json", os: "linux", architecture: "amd64",
                     variant: n % 2 == 0 ? "" : "v8", sizeBytes: Int64(1000 + n), createdAt: 1_700_000_000_000_000_000 + Int64(n))
    }

    @Test func factsSurviveReopeningAndTheFileIsOwnerOnly() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let cache = try ImageFactsCache(path: path, socket: "/run/a.sock")
            try cache.store((0..<100).map { ("sha256:target\($0)", facts($0)) })
            try cache.store([("sha256:empty", facts(500, layers: 0))])
        }
        let reopened = try ImageFactsCache(path: path, socket: "/run/a.sock")
        let all = try reopened.all()
        #expect(all.count == 101)
        #expect(all["sha256:target7"] == facts(7))
        #expect(all["sha256:empty"] == facts(500, layers: 0), "no layers reads back as no layers, not one empty one")
        #expect(try reopened.facts(target: "sha256:target42") == facts(42))
        #expect(try reopened.facts(target: "sha256:unknown") == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func replacingARowKeepsOneAndRetainDropsTheUnlisted() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = try ImageFactsCache(path: path, socket: "/run/a.sock")
        try cache.store((0..<10).map { ("sha256:target\($0)", facts($0)) })
        try cache.store([("sha256:target3", facts(33))])
        #expect(try cache.all().count == 10)
        #expect(try cache.facts(target: "sha256:target3") == facts(33))
        let dropped = try cache.retain(only: ["sha256:target1", "sha256:target3", "sha256:not-cached"])
        #expect(dropped == 8)
        #expect(Set(try cache.all().keys) == ["sha256:target1", "sha256:target3"])
        #expect(try cache.retain(only: ["sha256:target1", "sha256:target3"]) == 0)
    }

    @Test func twoSocketsSharingTheFileKeepTheirOwnRows() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try ImageFactsCache(path: path, socket: "/run/a.sock")
        let second = try ImageFactsCache(path: path, socket: "/run/b.sock")
        try first.store([("sha256:shared", facts(1)), ("sha256:only-a", facts(2))])
        try second.store([("sha256:shared", facts(1))])
        try second.retain(only: ["sha256:shared"])
        #expect(try first.all().count == 2, "b's sync never drops a's rows")
        try first.setListingSizes(["default": 123, "k8s.io": 456])
        try second.setListingSizes(["default": 7])
        #expect(try first.listingSizes() == ["default": 123, "k8s.io": 456])
        #expect(try second.listingSizes() == ["default": 7])
    }

    @Test func anUnusableFileIsAnErrorNotACrash() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("not a database, just text that is long enough to have a header".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) { _ = try ImageFactsCache(path: path, socket: "/run/a.sock") }
        #expect(throws: (any Error).self) { _ = try ImageFactsCache(path: directory.path + "/missing/x.db", socket: "s") }
    }

    @Test func timestampsParseAsRFC3339() {
        #expect(ImageContent.parseTimestamp("1970-01-01T00:00:00Z") == 0)
        #expect(ImageContent.parseTimestamp("2024-01-01T00:00:00Z") == 1_704_067_200_000_000_000)
        #expect(ImageContent.parseTimestamp("2024-02-29T12:30:15.25Z") == 1_709_209_815_250_000_000)
        #expect(ImageContent.parseTimestamp("2024-01-01T02:00:00+02:00") == 1_704_067_200_000_000_000)
        #expect(ImageContent.parseTimestamp("2023-12-31T19:00:00.123456789123-05:00") == 1_704_067_200_123_456_789)
        #expect(ImageContent.parseTimestamp("2024-01-01") == nil)
        #expect(ImageContent.parseTimestamp("2024-13-01T00:00:00Z") == nil)
        #expect(ImageContent.parseTimestamp("2024-01-01T00:00:00") == nil)
    }
}
