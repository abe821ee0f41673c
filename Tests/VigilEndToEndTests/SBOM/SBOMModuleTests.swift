import Foundation
import SBOMScanner
import Testing
import VigilWorkload

/// The sbom module against a private containerd: images built here layer by layer, scanned
/// through containerd's content API, their bills of materials compared with what was put in.
@Suite(.serialized) struct SBOMModuleTests {
    static let namespace = "vigil-e2e-sbom"

    /// Packages dpkg's database on this machine says are installed: what an image holding a
    /// copy of it must list.
    static func hostDebianPackages() throws -> Set<String> {
        let text = try String(contentsOfFile: "/var/lib/dpkg/status", encoding: .utf8)
        var names: Set<String> = []
        for stanza in text.components(separatedBy: "\n\n") {
            let lines = stanza.split(separator: "\n")
            guard let name = lines.first(where: { $0.hasPrefix("Package: ") })?.dropFirst(9),
                  let version = lines.first(where: { $0.hasPrefix("Version: ") })?.dropFirst(9) else { continue }
            let status = lines.first { $0.hasPrefix("Status: ") } ?? ""
            if status.hasSuffix("not-installed") || status.hasSuffix("config-files") { continue }
            names.insert("deb \(name) \(version)")
        }
        return names
    }

    static let site = "usr/lib/python3/dist-packages/"
    static func metadata(_ name: String, _ version: String) -> String {
        "Metadata-Version: 2.1\nName: \(name)\nVersion: \(version)\nLicense: MIT\n\nDescription.\n"
    }

    static let apkDatabase = "P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\n\nP:zlib\nV:1.3.1-r0\nA:x86_64\nL:Zlib\n\n"

    func packages(_ document: [UInt8]) throws -> Set<String> {
        struct Document: Decodable {
            var components: [Component]
            struct Component: Decodable { var type: String; var name: String; var version: String?; var properties: [Property]? }
            struct Property: Decodable { var name: String; var value: String }
        }
        let parsed = try JSONDecoder().decode(Document.self, from: Data(document))
        return Set(parsed.components.filter { $0.type == "library" }.map { component in
            let type = component.properties?.first { $0.name == "vigil:package:type" }?.value ?? "?"
            return "\(type) \(component.name) \(component.version ?? "")"
        })
    }

    /// The module's database, once the module created it.
    func openDatabase(_ agent: AgentModuleRunner) throws -> SBOMDatabase {
        let path = agent.directory.appendingPathComponent("run/sbom.db").path
        #expect(agent.wait { FileManager.default.fileExists(atPath: path) }, "\(agent.logs)")
        return try SBOMDatabase(path: path)
    }

    func validate(_ documents: [[UInt8]]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cdx-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [String] = []
        for (index, document) in documents.enumerated() {
            let file = folder.appendingPathComponent("bom-\(index).json")
            try Data(document).write(to: file)
            files.append(file.path)
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../scripts/validate-cyclonedx.py").standardized.path
        let result = try Subprocess.run("python3", [script] + files, timeout: 60)
        #expect(result.stdout.components(separatedBy: ": valid").count - 1 == files.count, "\(result.stdout)")
    }

    @Test func imagesListExactlyWhatWasPutInAndSharedLayersComeFromTheCache() throws {
        let harness = try ContainerdHarness(namespace: Self.namespace)
        defer { harness.stop() }
        let builder = try SBOMImageBuilder()
        defer { builder.remove() }
        // "app": Debian base (this host's dpkg database), then Python, npm and apk content, then
        // a layer that deletes one Python package (a whiteout).
        try builder.image("app", [
            .init(files: ["var/lib/dpkg/status": try String(contentsOfFile: "/var/lib/dpkg/status", encoding: .utf8),
                          "etc/os-release": "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"],
                  busybox: true),
            .init(files: [Self.site + "requests-2.31.0.dist-info/METADATA": Self.metadata("requests", "2.31.0"),
                          Self.site + "six-1.16.0.dist-info/METADATA": Self.metadata("six", "1.16.0"),
                          Self.site + "gone-0.1.dist-info/METADATA": Self.metadata("gone", "0.1"),
                          "srv/app/node_modules/left-pad/package.json": #"{"name":"left-pad","version":"1.3.0","license":"WTFPL"}"#,
                          "srv/app/node_modules/@types/node/package.json": #"{"name":"@types/node","version":"20.11.5"}"#,
                          "lib/apk/db/installed": Self.apkDatabase]),
            .init(deletions: [Self.site + "gone-0.1.dist-info"]),
        ])
        // "tool": app's three layers (shared blobs) plus one more Python package.
        try builder.image("tool", from: "app", [
            .init(files: [Self.site + "idna-3.6.dist-info/METADATA": Self.metadata("idna", "3.6")]),
        ])
        try harness.importImage(archive: try builder.archive(["app"]), baseName: "docker.io/library/sbom-e2e")
        try harness.ctr(["images", "tag", "docker.io/library/sbom-e2e:app", "registry.example/team/app:v1"])

        let agent = try AgentModuleRunner(instance: "containerd_socket: \(harness.socketPath)", otherChecks: [
            "sbom": "containerd_socket: \(harness.socketPath)\nhost:\n  enabled: false\nscan_queue:\n  base_backoff: 1\n  max_backoff: 2",
        ])
        defer { agent.stop() }
        func image(_ tag: String) -> Image? {
            agent.store.entities(kind: .image).compactMap(\.image).first { $0.repoTags.contains(tag) }
        }
        #expect(agent.wait(timeout: 60) { image("docker.io/library/sbom-e2e:app")?.sbom.status == "success" }, "\(agent.logs)")
        let app = try #require(image("docker.io/library/sbom-e2e:app"))
        #expect(app.repoTags.contains("registry.example/team/app:v1"), "one image entity, every reference")

        let database = try openDatabase(agent)
        let (record, document) = try #require(database.document(for: app.id))
        let expected = try Self.hostDebianPackages().union([
            "python requests 2.31.0", "python six 1.16.0", "npm left-pad 1.3.0", "npm @types/node 20.11.5",
            "apk musl 1.2.4-r2", "apk zlib 1.3.1-r0",
        ])
        let listed = try packages(document)
        #expect(listed == expected, "missing: \(expected.subtracting(listed).sorted().prefix(10)), extra: \(listed.subtracting(expected).sorted().prefix(10))")
        #expect(record.packageCount == Int64(expected.count) && app.sbom.packageCount == Int64(expected.count))
        #expect(record.subject.repoTags.contains("registry.example/team/app:v1"))
        #expect(agent.logs.contains { $0.contains("sbom: scanned docker.io/library/sbom-e2e") && $0.contains("3 layers read, 0 from the layer cache") },
                "\(agent.logs.filter { $0.contains("sbom") })")

        // The second image arrives later; app's three layers are answered from the cache.
        try harness.importImage(archive: try builder.archive(["tool"]), baseName: "docker.io/library/sbom-e2e")
        #expect(agent.wait(timeout: 60) { image("docker.io/library/sbom-e2e:tool")?.sbom.status == "success" }, "\(agent.logs)")
        let tool = try #require(image("docker.io/library/sbom-e2e:tool"))
        #expect(agent.logs.contains { $0.contains("(\(tool.id))") && $0.contains("1 layers read, 3 from the layer cache") },
                "\(agent.logs.filter { $0.contains("sbom") })")
        let toolPackages = try packages(try #require(database.document(for: tool.id)).1)
        #expect(toolPackages == expected.union(["python idna 3.6"]), "tool is app (gone deleted) plus idna")
        #expect(database.layerCount() == 4, "four distinct layers, each read once")
        // What `vigil sbom list` shows for each: app read its three layers, tool one and three from the cache.
        let counts = Dictionary(uniqueKeysWithValues: database.records().map { ($0.subject.id, ($0.layersRead, $0.layerCacheHits)) })
        #expect(counts[app.id]?.0 == 3 && counts[app.id]?.1 == 0, "\(counts)")
        #expect(counts[tool.id]?.0 == 1 && counts[tool.id]?.1 == 3, "\(counts)")
        try validate([document, try #require(database.document(for: tool.id)).1])
    }

    @Test func failedScansRetryOnTheirBackoffAndARemovedImageIsNeverTriedAgain() throws {
        let harness = try ContainerdHarness(namespace: Self.namespace)
        defer { harness.stop() }
        let builder = try SBOMImageBuilder()
        defer { builder.remove() }
        try builder.image("retry", [.init(files: [Self.site + "six-1.16.0.dist-info/METADATA": Self.metadata("six", "1.16.0")])])
        try builder.image("doomed", [.init(files: [Self.site + "idna-3.6.dist-info/METADATA": Self.metadata("idna", "3.6")])])
        let retryArchive = try builder.archive(["retry"])
        try harness.importImage(archive: retryArchive, baseName: "docker.io/library/sbom-retry")
        try harness.importImage(archive: try builder.archive(["doomed"]), baseName: "docker.io/library/sbom-doomed")
        // Their layer blobs go (as discard_unpacked_layers would do); no container runs them.
        let retryLayer = try #require(try builder.layers("retry").first)
        let doomedLayer = try #require(try builder.layers("doomed").first)
        try harness.ctr(["content", "rm", retryLayer, doomedLayer])

        let agent = try AgentModuleRunner(instance: "containerd_socket: \(harness.socketPath)", otherChecks: [
            "sbom": "containerd_socket: \(harness.socketPath)\nhost:\n  enabled: false\nscan_queue:\n  base_backoff: 1\n  max_backoff: 2",
        ])
        defer { agent.stop() }
        func image(_ tag: String) -> Image? {
            agent.store.entities(kind: .image).compactMap(\.image).first { $0.repoTags.contains(tag) }
        }
        func failures(_ id: String) -> Int { agent.logs.filter { $0.contains("scan of") && $0.contains(id) && $0.contains("failed") }.count }
        #expect(agent.wait(timeout: 30) { image("docker.io/library/sbom-retry:retry")?.sbom.status == "failed" }, "\(agent.logs)")
        let failed = try #require(image("docker.io/library/sbom-retry:retry"))
        #expect(failed.sbom.error.contains("not in containerd's content store"), "\(failed.sbom.error)")
        #expect(failed.sbom.error.contains("no running container"), "\(failed.sbom.error)")
        // Retries on the backoff: 1 s, then 2 s (the cap).
        #expect(agent.wait(timeout: 15) { failures("docker.io/library/sbom-retry") >= 3 }, "\(agent.logs)")
        #expect(agent.logs.contains { $0.contains("docker.io/library/sbom-retry") && $0.contains("retry in 2 s") })

        // The doomed image's references all go while it waits: never tried again.
        let doomed = try #require(image("docker.io/library/sbom-doomed:doomed"))
        for reference in doomed.repoTags + doomed.repoDigests { try harness.ctr(["images", "rm", reference]) }
        #expect(agent.wait(timeout: 15) { image("docker.io/library/sbom-doomed:doomed") == nil })
        let triesAtRemoval = failures("docker.io/library/sbom-doomed")

        // The blob comes back (the archive imported again): the next retry succeeds.
        try harness.importImage(archive: retryArchive, baseName: "docker.io/library/sbom-retry")
        #expect(agent.wait(timeout: 20) { image("docker.io/library/sbom-retry:retry")?.sbom.status == "success" }, "\(agent.logs)")
        #expect(image("docker.io/library/sbom-retry:retry")?.sbom.packageCount == 1)
        Thread.sleep(forTimeInterval: 3)
        #expect(failures("docker.io/library/sbom-doomed") == triesAtRemoval, "no retry after its last reference went")
        let database = try openDatabase(agent)
        #expect(database.document(for: doomed.id) == nil && !database.records().contains { $0.subject.id == doomed.id })
    }

    /// The layer blob is gone (discard_unpacked_layers) but a container of the image runs:
    /// its root, through /proc/<pid>/root, is read instead.
    @Test func aRunningContainersRootIsReadWhenTheLayerBlobsAreGone() throws {
        let harness = try ContainerdHarness(namespace: Self.namespace)
        defer { harness.stop() }
        let builder = try SBOMImageBuilder()
        defer { builder.remove() }
        try builder.image("live", [.init(files: [Self.site + "six-1.16.0.dist-info/METADATA": Self.metadata("six", "1.16.0"),
                                                 "lib/apk/db/installed": Self.apkDatabase], busybox: true)])
        try harness.importImage(archive: try builder.archive(["live"]), baseName: "docker.io/library/sbom-live")
        try harness.ctr(["content", "rm"] + (try builder.layers("live")))
        try harness.runContainer(id: "sbom-live", image: "docker.io/library/sbom-live:live")
        defer { try? harness.stopAndDelete(id: "sbom-live") }

        let agent = try AgentModuleRunner(instance: "containerd_socket: \(harness.socketPath)", otherChecks: [
            "sbom": "containerd_socket: \(harness.socketPath)\nhost:\n  enabled: false\nscan_queue:\n  base_backoff: 1\n  max_backoff: 1",
        ])
        defer { agent.stop() }
        func image() -> Image? {
            agent.store.entities(kind: .image).compactMap(\.image).first { $0.repoTags.contains("docker.io/library/sbom-live:live") }
        }
        #expect(agent.wait(timeout: 60) { image()?.sbom.status == "success" }, "\(agent.logs.filter { $0.contains("sbom") })")
        let pid = try #require(try harness.pid(ofContainer: "sbom-live"))
        #expect(agent.logs.contains { $0.contains("read the root of running container process \(pid) instead") },
                "\(agent.logs.filter { $0.contains("sbom") })")
        let id = try #require(image()).id
        let listed = try packages(try #require(try openDatabase(agent).document(for: id)).1)
        #expect(listed == ["python six 1.16.0", "apk musl 1.2.4-r2", "apk zlib 1.3.1-r0"])
    }

    /// A queue of one: the first image is queued, the others turned away (reported failed
    /// with the reason, no retry time) and queued again as room frees; all end scanned.
    @Test func aFullQueueTurnsImagesAwayAndTakesThemBackWhenThereIsRoom() throws {
        let harness = try ContainerdHarness(namespace: Self.namespace)
        defer { harness.stop() }
        let builder = try SBOMImageBuilder()
        defer { builder.remove() }
        let names = ["first", "second", "third"]
        for name in names {
            try builder.image(name, [.init(files: [Self.site + "\(name)-1.0.dist-info/METADATA": Self.metadata(name, "1.0")])])
        }
        try harness.importImage(archive: try builder.archive(names), baseName: "docker.io/library/sbom-full")

        let agent = try AgentModuleRunner(instance: "containerd_socket: \(harness.socketPath)", otherChecks: [
            "sbom": "containerd_socket: \(harness.socketPath)\nhost:\n  enabled: false\nscan_queue:\n  max_size: 1",
        ])
        defer { agent.stop() }
        let images = { agent.store.entities(kind: .image).compactMap(\.image).filter { $0.repoTags.contains { $0.hasPrefix("docker.io/library/sbom-full:") } } }
        #expect(agent.wait(timeout: 60) { images().count == 3 && images().allSatisfy { $0.sbom.status == "success" } },
                "\(agent.logs.filter { $0.contains("sbom") })")
        #expect(agent.logs.filter { $0.contains("scan queue full (1)") && $0.contains("dropped until there is room") }.count == 2,
                "\(agent.logs.filter { $0.contains("sbom") })")
    }

    @Test func theHostIsScannedAtStartAndAFailedHostScanIsNotRetried() throws {
        let harness = try ContainerdHarness(namespace: Self.namespace)
        defer { harness.stop() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-host-root-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("var/lib/dpkg"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/var/lib/dpkg/status", toPath: root.appendingPathComponent("var/lib/dpkg/status").path)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("usr/bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/usr/bin/ctr", toPath: root.appendingPathComponent("usr/bin/ctr").path)

        let agent = try AgentModuleRunner(instance: "containerd_socket: \(harness.socketPath)", otherChecks: [
            "sbom": "containerd_socket: \(harness.socketPath)\ncontainer_image:\n  enabled: false\nhost:\n  root: \(root.path)\nhost_scan_interval: 3600",
        ])
        defer { agent.stop() }
        let database = try openDatabase(agent)
        #expect(agent.wait(timeout: 30) { database.records().contains { $0.subject.kind == .host && $0.status == "success" } }, "\(agent.logs)")
        let (record, document) = try #require(database.document(for: "host"))
        let expected = try Self.hostDebianPackages().union(["go-module github.com/containerd/containerd/cmd/ctr (devel)"])
        let listed = try packages(document)
        #expect(listed.subtracting(listed.filter { $0.hasPrefix("go-module stdlib") }) == expected)
        #expect(record.subject.kind == .host)
        try validate([document])

        // A host root that cannot be read: reported once, not retried before the next interval.
        let broken = try AgentModuleRunner(instance: "containerd_socket: \(harness.socketPath)", otherChecks: [
            "sbom": "containerd_socket: \(harness.socketPath)\ncontainer_image:\n  enabled: false\nhost:\n  root: /nonexistent/vigil\nhost_scan_interval: 3600",
        ])
        defer { broken.stop() }
        #expect(broken.wait(timeout: 15) { broken.logs.contains { $0.contains("host scan of /nonexistent/vigil failed") } }, "\(broken.logs)")
        Thread.sleep(forTimeInterval: 3)
        #expect(broken.logs.filter { $0.contains("host scan of /nonexistent/vigil failed") }.count == 1)
        let brokenDatabase = try openDatabase(broken)
        #expect(brokenDatabase.records().first { $0.subject.kind == .host }?.status == "failed")
    }
}
