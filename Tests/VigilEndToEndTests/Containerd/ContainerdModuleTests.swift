import Foundation
import Testing
import VigilModules
import VigilWorkload

/// The containerd module, loaded from its shared library, against a private containerd.
@Suite(.serialized) struct ContainerdModuleTests {
    static let namespace = "vigil-e2e"

    func images(_ host: AgentModuleRunner) -> [Image] { host.store.entities(kind: .image).compactMap(\.image) }
    func container(_ host: AgentModuleRunner, _ id: String) -> Container? { host.store.entity(kind: .container, id: id)?.container }

    @Test func followsImagesContainersAndRestarts() throws {
        let harness = try ContainerdHarness(namespace: Self.namespace)
        defer { harness.stop() }
        let archive = try harness.buildBusyboxImage(named: "e2e-alpha")
        try harness.importImage(archive: archive, baseName: "docker.io/library/alpha")
        try harness.ctr(["images", "tag", "docker.io/library/alpha:latest", "registry.example.com:5000/team/alpha:1.0"])

        let host = try AgentModuleRunner(instance: "containerd_socket: \(harness.socketPath)")
        defer { host.stop() }
        #expect(host.wait { host.isReady }, "set_ready after the first sync; logs: \(host.logs)")

        // Initial sync: one image carrying all three references, published once complete.
        let image = try #require(images(host).first)
        #expect(images(host).count == 1)
        #expect(image.repoTags == ["docker.io/library/alpha:latest", "registry.example.com:5000/team/alpha:1.0"])
        #expect(image.repoDigests.count == 1 && image.repoDigests[0].hasPrefix("docker.io/library/alpha@sha256:"))
        #expect(image.id.hasPrefix("sha256:") && image.id.count == 71)
        #expect(image.name == "docker.io/library/alpha")
        #expect(image.os == "linux" && !image.architecture.isEmpty)
        #expect(image.layers.count == 1 && image.sizeBytes > 500_000, "busybox layer is counted")
        #expect(image.createdAt > 0)
        #expect(host.store.sources(kind: .image, id: image.id) == ["containerd"])

        // A new tag joins the same image; removing it leaves the rest.
        try harness.ctr(["images", "tag", "docker.io/library/alpha:latest", "docker.io/library/alpha:v2"])
        #expect(host.wait { images(host).first?.repoTags.contains("docker.io/library/alpha:v2") == true })
        try harness.ctr(["images", "rm", "docker.io/library/alpha:v2"])
        #expect(host.wait { images(host).first?.repoTags.contains("docker.io/library/alpha:v2") == false })
        #expect(images(host).count == 1)

        // A running container: pid, cgroup path, image id, state.
        try harness.runContainer(id: "e2e-web", image: "docker.io/library/alpha:latest",
                                 extraArgs: ["--label", "team=core"])
        let pid = try #require(try harness.pid(ofContainer: "e2e-web"))
        #expect(host.wait { container(host, "e2e-web")?.state == .running })
        let web = try #require(container(host, "e2e-web"))
        #expect(web.pid == Int64(pid))
        #expect(web.cgroupPath == "/\(Self.namespace)/e2e-web")
        #expect(web.namespace == Self.namespace && web.runtime == "containerd")
        #expect(web.imageRef == "docker.io/library/alpha:latest" && web.imageID == image.id)
        #expect(web.labels["team"] == "core")
        // containerd reports no start time: it is the init process's, read by the module.
        let startedAgo = Date().timeIntervalSince1970 - Double(web.startedAt) / 1e9
        #expect(startedAgo > -1 && startedAgo < 30, "started_at \(web.startedAt) is \(startedAgo) s ago")
        let cgroupFile = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)
        #expect(cgroupFile.contains(web.cgroupPath), "the published path is the one the kernel shows")

        // The tagger sees it through the store.
        let tagger = Tagger(store: host.store, rules: TagRules(labelsAsTags: ["team": "team"]))
        let tags = try #require(tagger.tags(forEntity: "container_id://e2e-web", cardinality: .high))
        #expect(Set(tags).isSuperset(of: ["short_image:alpha", "image_tag:latest", "team:core", "container_id:e2e-web",
                                          "image_id:\(image.id)"]))
        #expect(tagger.containerID(forCgroupPath: "/\(Self.namespace)/e2e-web") == "e2e-web")

        // Stopped and deleted: the entity goes.
        try harness.stopAndDelete(id: "e2e-web")
        #expect(host.wait { container(host, "e2e-web") == nil })

        // containerd restarts; changes made before the module reconnects are picked up by the resync.
        try harness.runContainer(id: "e2e-survivor", image: "docker.io/library/alpha:latest")
        #expect(host.wait { container(host, "e2e-survivor")?.state == .running })
        // The connection state it reports (ABI 1.5), as `vigil status` and readiness read it.
        let collector = try #require(host.setup.instances.first { $0.isCollector })
        #expect(collector.connection?.connected == true && collector.connection?.detail == harness.socketPath,
                "\(String(describing: collector.connection))")
        harness.stopDaemon()
        #expect(host.wait { collector.connection?.connected == false }, "\(String(describing: collector.connection))")
        #expect(collector.connection?.detail.hasPrefix(harness.socketPath + ": ") == true)
        try harness.restart()
        #expect(host.wait { collector.connection?.connected == true }, "\(String(describing: collector.connection))")
        try harness.ctr(["images", "rm", "registry.example.com:5000/team/alpha:1.0"])
        try harness.runContainer(id: "e2e-late", image: "docker.io/library/alpha:latest")
        #expect(host.wait { container(host, "e2e-late")?.state == .running })
        #expect(host.wait { images(host).first?.repoTags == ["docker.io/library/alpha:latest"] })
        #expect(container(host, "e2e-survivor")?.state == .running, "tasks survive a containerd restart")
        #expect(host.store.entities(kind: .container).count == 2, "no stale or duplicate container")
        #expect(images(host).count == 1, "no stale or duplicate image")
        #expect(host.logs.contains { $0.contains("unavailable") }, "the outage is logged: \(host.logs)")

        // The last references go: the image goes.
        try harness.stopAndDelete(id: "e2e-survivor")
        try harness.stopAndDelete(id: "e2e-late")
        let digestRef = try #require(images(host).first?.repoDigests.first)
        try harness.ctr(["images", "rm", "docker.io/library/alpha:latest", digestRef])
        #expect(host.wait { images(host).isEmpty && host.store.entities(kind: .container).isEmpty })
    }

    @Test func sameImageImportedUnderTwoNamesIsOneEntity() throws {
        let harness = try ContainerdHarness(namespace: Self.namespace)
        defer { harness.stop() }
        let host = try AgentModuleRunner(instance: """
            containerd_socket: \(harness.socketPath)
            containerd_namespaces: [\(Self.namespace)]
            """)
        defer { host.stop() }
        #expect(host.wait { host.isReady })
        #expect(images(host).isEmpty)

        // Imported while the module watches: several events end in one complete image.
        let archive = try harness.buildBusyboxImage(named: "e2e-beta")
        try harness.importImage(archive: archive, baseName: "docker.io/library/beta")
        try harness.importImage(archive: archive, baseName: "example.com/team/beta")
        #expect(host.wait { images(host).first.map { $0.repoTags.count == 2 && $0.repoDigests.count == 2 } == true })
        #expect(images(host).count == 1)
    }

    /// The module keeps no names: after an event it lists the image's targets again, in every
    /// namespace that holds them, so a name another namespace still holds stays.
    @Test func eventsKeepTheNamesEveryNamespaceHolds() throws {
        let harness = try ContainerdHarness(namespace: Self.namespace)
        defer { harness.stop() }
        let other = Self.namespace + "-other"
        let archive = try harness.buildBusyboxImage(named: "e2e-gamma")
        try harness.importImage(archive: archive, baseName: "docker.io/library/gamma")
        try harness.ctr(["images", "import", "--base-name", "docker.io/library/gamma", "--digests", archive.path],
                        namespace: other, timeout: 60)
        try harness.ctr(["images", "tag", "docker.io/library/gamma:latest", "docker.io/library/gamma:shared"])
        try harness.ctr(["images", "tag", "docker.io/library/gamma:latest", "docker.io/library/gamma:shared"], namespace: other)
        let host = try AgentModuleRunner(instance: "containerd_socket: \(harness.socketPath)")
        defer { host.stop() }
        #expect(host.wait { host.isReady })
        #expect(host.wait { images(host).first?.repoTags == ["docker.io/library/gamma:latest", "docker.io/library/gamma:shared"] })

        // A tag only the other namespace holds joins the one image.
        try harness.ctr(["images", "tag", "docker.io/library/gamma:latest", "docker.io/library/gamma:other"], namespace: other)
        #expect(host.wait { images(host).first?.repoTags.contains("docker.io/library/gamma:other") == true })
        // Removed from one namespace, a name the other still holds stays; removed from both, it goes.
        try harness.ctr(["images", "rm", "docker.io/library/gamma:shared"])
        try harness.ctr(["images", "tag", "docker.io/library/gamma:latest", "docker.io/library/gamma:marker"])
        #expect(host.wait { images(host).first?.repoTags.contains("docker.io/library/gamma:marker") == true })
        #expect(images(host).first?.repoTags.contains("docker.io/library/gamma:shared") == true)
        try harness.ctr(["images", "rm", "docker.io/library/gamma:shared"], namespace: other)
        #expect(host.wait { images(host).first?.repoTags.contains("docker.io/library/gamma:shared") == false })
        #expect(images(host).first?.repoTags == ["docker.io/library/gamma:latest", "docker.io/library/gamma:marker",
                                                 "docker.io/library/gamma:other"])
        #expect(images(host).count == 1)
    }

    @Test func absentSocketIsLoggedOnceAndRetried() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-nosock-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("containerd.sock").path
        let host = try AgentModuleRunner(instance: "containerd_socket: \(socket)")
        defer { host.stop() }
        usleep(1_500_000)
        #expect(!host.isReady)
        #expect(host.logs.filter { $0.hasPrefix("[warning]") && $0.contains("unavailable") }.count == 1,
                "one warning, then quiet retries: \(host.logs)")
        let started = Date()
        host.stop()
        #expect(Date().timeIntervalSince(started) < 5, "stop() returns promptly while backing off")
    }

    @Test func invalidConfigurationIsRefused() throws {
        #expect(throws: AgentModuleRunner.RunnerError.self) {
            _ = try AgentModuleRunner(instance: "containerd_resync_interval: soon")
        }
    }
}
