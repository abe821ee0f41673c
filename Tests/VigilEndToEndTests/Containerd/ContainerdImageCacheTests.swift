import Foundation
import Synchronization
import Testing
import VigilWorkload

/// The containerd module's image cache in run_path, across agent restarts, against a
/// private containerd.
@Suite(.serialized) struct ContainerdImageCacheTests {
    static let namespace = "vigil-e2e"

    func images(_ host: AgentModuleRunner) -> [Image] { host.store.entities(kind: .image).compactMap(\.image) }

    /// Every image the module publishes into a store, from its very first event.
    final class PublishedImages: Sendable {
        private let seen = Mutex<[Image]>([])
        var all: [Image] { seen.withLock { $0 } }

        func watch(_ store: WorkloadStore) {
            _ = store.subscribe(name: "e2e-published-images", filter: SubscriptionFilter(kinds: [.image])) { events, _ in
                let images = events.filter { $0.type == .set }.compactMap(\.entity.image)
                self.seen.withLock { $0.append(contentsOf: images) }
            }
        }
    }

    @Test func restartWithAChangedImagePublishesTheNewFactsNeverTheCachedOldOnes() throws {
        let harness = try ContainerdHarness(namespace: Self.namespace)
        defer { harness.stop() }
        // Two images: "steady" stays as it is, "gamma" gets new content under the same name.
        try harness.importImage(archive: try harness.buildBusyboxImage(named: "e2e-steady"), baseName: "docker.io/library/steady")
        try harness.importImage(archive: try harness.buildBusyboxImage(named: "e2e-gamma-old"), baseName: "docker.io/library/gamma")
        let agentDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-ctd-cache-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: agentDirectory) }
        let instance = "containerd_socket: \(harness.socketPath)"

        // First agent: reads both images and caches their facts in run_path.
        let first = try AgentModuleRunner(instance: instance, directory: agentDirectory)
        #expect(first.wait { first.isReady }, "logs: \(first.logs)")
        let before = images(first)
        let oldGamma = try #require(before.first { $0.repoTags == ["docker.io/library/gamma:latest"] })
        let steady = try #require(before.first { $0.repoTags == ["docker.io/library/steady:latest"] })
        #expect(first.logs.contains { $0.contains("first sync:") && $0.contains("0 from the cache, 2 read") }, "\(first.logs)")
        first.stop()
        let cacheFile = agentDirectory.appendingPathComponent("run/containerd-images.db").path
        let mode = try FileManager.default.attributesOfItem(atPath: cacheFile)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the cache file is its owner's only")

        // While no agent runs, gamma:latest is replaced by other content (same name, new digest)
        // and its old digest reference goes, so containerd no longer has the old image.
        let oldDigestRef = try #require(oldGamma.repoDigests.first)
        try harness.ctr(["images", "rm", "docker.io/library/gamma:latest", oldDigestRef])
        try harness.importImage(archive: try harness.buildBusyboxImage(named: "e2e-gamma-new"), baseName: "docker.io/library/gamma")

        // Second agent on the same run_path: steady comes from the cache, gamma is read again.
        let published = PublishedImages()
        let second = try AgentModuleRunner(instance: instance, directory: agentDirectory, beforeStart: published.watch)
        defer { second.stop() }
        #expect(second.wait { second.isReady }, "logs: \(second.logs)")
        let after = images(second)
        #expect(after.count == 2)
        let newGamma = try #require(after.first { $0.repoTags == ["docker.io/library/gamma:latest"] })
        #expect(newGamma.id != oldGamma.id, "the new content has a new config digest")
        #expect(newGamma.repoDigests.count == 1 && newGamma.repoDigests != oldGamma.repoDigests)
        #expect(after.first { $0.id == steady.id } == steady, "the unchanged image is published as it was")
        #expect(second.logs.contains { $0.contains("first sync:") && $0.contains("1 from the cache, 1 read")
                                       && $0.contains("1 dropped") }, "\(second.logs)")
        // The store's subscriber saw every image the module ever published in this run: the
        // old gamma never, under any name.
        #expect(second.wait { published.all.contains { $0.id == newGamma.id } })
        #expect(!published.all.contains { $0.id == oldGamma.id }, "\(published.all.map(\.id))")
        #expect(!published.all.contains { $0.repoTags.contains("docker.io/library/gamma:latest") && $0.id != newGamma.id })
    }
}
