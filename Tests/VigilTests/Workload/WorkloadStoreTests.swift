import Foundation
import Synchronization
import Testing
@testable import VigilWorkload

@Suite struct WorkloadStoreTests {
    @Test func publishReadAndCount() {
        let store = WorkloadStore()
        store.publish(container("a"), source: "containerd")
        store.publish(.image(Image(id: "sha256:1", repoTags: ["r:1"])), source: "containerd")
        #expect(store.entity(kind: .container, id: "a")?.container?.name == "name-a")
        #expect(store.entity(kind: .container, id: "missing") == nil)
        #expect(store.entities(kind: .image).map(\.id) == ["sha256:1"])
        #expect(store.counts()[.container] == 1)
        #expect(store.counts()[.pod] == 0)
    }

    @Test func entityRemainsUntilLastSourceDropsIt() {
        let store = WorkloadStore()
        store.publish(container("a"), source: "containerd")
        store.publish(container("a") { $0.labels = ["k": "v"] }, source: "kubelet")
        store.remove(kind: .container, id: "a", source: "containerd")
        #expect(store.entity(kind: .container, id: "a") != nil)
        #expect(store.sources(kind: .container, id: "a") == ["kubelet"])
        store.remove(kind: .container, id: "a", source: "kubelet")
        #expect(store.entity(kind: .container, id: "a") == nil)
    }

    /// Two pointers in the store's table, however many sources (see `EntityRecord`).
    @Test func aRecordIsTwoPointers() {
        #expect(MemoryLayout<EntityRecord>.size == 16)
    }

    @Test func sourcesComeAndGoAndTheEntityIsAlwaysTheMergeOfThoseLeft() {
        let store = WorkloadStore()
        store.publish(container("a") { $0.labels = ["from": "b"]; $0.pid = 7 }, source: "b")
        store.publish(container("a") { $0.labels = ["from": "a"]; $0.pid = 0 }, source: "a")
        store.publish(container("a") { $0.labels = ["from": "c", "c": "1"] }, source: "c")
        #expect(store.sources(kind: .container, id: "a") == ["a", "b", "c"])
        #expect(store.entity(kind: .container, id: "a")?.container?.labels == ["from": "a", "c": "1"])
        #expect(store.entity(kind: .container, id: "a")?.container?.pid == 7)

        store.remove(kind: .container, id: "a", source: "a")
        #expect(store.entity(kind: .container, id: "a")?.container?.labels == ["from": "b", "c": "1"])
        store.remove(kind: .container, id: "a", source: "c")
        // One source left: the entity is exactly its report, nothing of the others kept.
        #expect(store.sources(kind: .container, id: "a") == ["b"])
        #expect(store.entity(kind: .container, id: "a") == container("a") { $0.labels = ["from": "b"]; $0.pid = 7 })
        store.publish(container("a") { $0.labels = ["from": "b", "again": "1"] }, source: "b")
        #expect(store.entity(kind: .container, id: "a")?.container?.labels == ["from": "b", "again": "1"])
        store.remove(kind: .container, id: "a", source: "c")  // no report from c: nothing happens
        #expect(store.sources(kind: .container, id: "a") == ["b"])
        store.remove(kind: .container, id: "a", source: "b")
        #expect(store.entity(kind: .container, id: "a") == nil)
        #expect(store.sources(kind: .container, id: "a").isEmpty)
    }

    @Test func mergeFillsFieldsFromLowerRankedSourcesAndUnionsLists() {
        let store = WorkloadStore()
        store.publish(container("a") { $0.pid = 0; $0.labels = ["x": "from-b"]; $0.name = "b-name" }, source: "b")
        store.publish(container("a") { $0.pid = 42; $0.labels = ["x": "from-a", "y": "1"]; $0.name = "" }, source: "a")
        let merged = store.entity(kind: .container, id: "a")?.container
        #expect(merged?.pid == 42)
        #expect(merged?.name == "b-name", "empty in the first-ranked source, so filled from the next")
        #expect(merged?.labels == ["x": "from-a", "y": "1"], "the first-ranked source wins a conflicting key")

        store.publish(.image(Image(id: "i", repoTags: ["r:1"])), source: "b")
        store.publish(.image(Image(id: "i", repoTags: ["r:2", "r:1"])), source: "a")
        #expect(store.entity(kind: .image, id: "i")?.image?.repoTags == ["r:2", "r:1"])
    }

    @Test func theSBOMModulesReportAddsTheScanStateToTheRuntimesImage() {
        let store = WorkloadStore()
        let image = Image(id: "sha256:c", name: "docker.io/library/x", repoTags: ["docker.io/library/x:1"],
                          repoDigests: ["docker.io/library/x@sha256:m"], layers: ["sha256:l1", "sha256:l2"])
        store.publish(.image(image), source: "containerd")
        store.publish(.image(Image(id: "sha256:c", sbom: SBOMState(status: "pending"))), source: "sbom")
        store.publish(.image(Image(id: "sha256:c", sbom: SBOMState(status: "success", packageCount: 7))), source: "sbom")
        let merged = store.entity(kind: .image, id: "sha256:c")?.image
        #expect(merged?.repoTags == image.repoTags && merged?.layers == image.layers)
        #expect(merged?.sbom.status == "success" && merged?.sbom.packageCount == 7)
        store.remove(kind: .image, id: "sha256:c", source: "sbom")
        #expect(store.entity(kind: .image, id: "sha256:c")?.image == image)
    }

    @Test func subscriberGetsInitialBundleThenOrderedChanges() {
        let store = WorkloadStore()
        store.publish(container("a"), source: "s")
        store.publish(container("b"), source: "s")
        let collector = EventCollector()
        store.subscribe(name: "test", filter: SubscriptionFilter(kinds: [.container]), handler: collector.handler)
        store.publish(.image(Image(id: "ignored")), source: "s")
        for i in 0..<50 { store.publish(container("c") { $0.pid = Int64(i + 1) }, source: "s") }
        store.remove(kind: .container, id: "a", source: "s")
        #expect(collector.wait(forEvents: 2 + 50 + 1))
        let calls = collector.snapshot
        #expect(calls.first?.initial == true)
        #expect(Set(calls.first?.events.map(\.entity.id) ?? []) == ["a", "b"])
        #expect(calls.dropFirst().allSatisfy { !$0.initial })
        let changes = collector.changes
        #expect(changes.dropLast().map { $0.entity.container?.pid ?? -1 } == Array(1...50).map(Int64.init))
        #expect(changes.last?.type == .unset && changes.last?.entity.id == "a")
    }

    @Test func emptyStoreStillDeliversAnInitialBundle() {
        let store = WorkloadStore()
        let collector = EventCollector()
        store.subscribe(name: "test", handler: collector.handler)
        let deadline = Date().addingTimeInterval(5)
        while collector.snapshot.isEmpty && Date() < deadline { usleep(1000) }
        #expect(collector.snapshot.count == 1)
        #expect(collector.snapshot.first?.initial == true && collector.snapshot.first?.events.isEmpty == true)
    }

    @Test func republishingTheSameReportEmitsNothing() {
        let store = WorkloadStore()
        let collector = EventCollector()
        store.subscribe(name: "test", handler: collector.handler)
        store.publish(container("a"), source: "s")
        store.publish(container("a"), source: "s")
        store.publish(container("a") { $0.pid = 7 }, source: "s")
        #expect(collector.wait(forEvents: 2))
        usleep(50_000)
        #expect(collector.changes.map { $0.entity.container?.pid } == [0, 7])
    }

    @Test func sourceFilterSeesThatSourcesOwnReports() {
        let store = WorkloadStore()
        let collector = EventCollector()
        store.publish(container("a"), source: "other")
        store.subscribe(name: "test", filter: SubscriptionFilter(source: "containerd"), handler: collector.handler)
        store.publish(container("a") { $0.pid = 3 }, source: "containerd")
        store.publish(container("b"), source: "other")
        store.remove(kind: .container, id: "a", source: "containerd")
        #expect(collector.wait(forEvents: 2))
        usleep(50_000)
        #expect(collector.snapshot.first?.events.isEmpty == true, "nothing from containerd at subscription time")
        #expect(collector.changes.map(\.type) == [.set, .unset])
        #expect(collector.changes.first?.entity.container?.pid == 3)
        #expect(store.entity(kind: .container, id: "a") != nil, "still reported by the other source")
    }

    @Test func eventTypeFilter() {
        let store = WorkloadStore()
        let collector = EventCollector()
        store.subscribe(name: "test", filter: SubscriptionFilter(eventTypes: [.unset]), handler: collector.handler)
        store.publish(container("a"), source: "s")
        store.remove(kind: .container, id: "a", source: "s")
        #expect(collector.wait(forEvents: 1))
        #expect(collector.changes.map(\.type) == [.unset])
    }

    @Test func handlerMayCallBackIntoTheStoreWithoutDeadlock() {
        let store = WorkloadStore()
        let seen = Mutex<[Int]>([])
        store.subscribe(name: "reentrant") { events, _ in
            for event in events where event.type == .set {
                // Reads and writes from inside the handler.
                let count = store.entities(kind: .container).count
                seen.withLock { $0.append(count) }
                if event.entity.id == "a" { store.publish(container("b"), source: "handler") }
            }
        }
        store.publish(container("a"), source: "s")
        let deadline = Date().addingTimeInterval(5)
        while store.entity(kind: .container, id: "b") == nil || seen.withLock({ $0.count }) < 2 {
            if Date() > deadline { break }
            usleep(1000)
        }
        #expect(store.entity(kind: .container, id: "b") != nil)
        #expect(seen.withLock { $0 }.count == 2)
    }

    @Test func unsubscribeWaitsForARunningHandlerAndStopsDelivery() {
        let store = WorkloadStore()
        let running = Mutex(false)
        let calls = Mutex(0)
        let id = store.subscribe(name: "slow") { events, initial in
            guard !initial else { return }
            running.withLock { $0 = true }
            usleep(200_000)
            calls.withLock { $0 += 1 }
            running.withLock { $0 = false }
        }
        store.publish(container("a"), source: "s")
        let deadline = Date().addingTimeInterval(5)
        while !running.withLock({ $0 }) && Date() < deadline { usleep(1000) }
        store.unsubscribe(id)
        #expect(running.withLock { $0 } == false, "unsubscribe returned while the handler ran")
        let after = calls.withLock { $0 }
        store.publish(container("b"), source: "s")
        usleep(100_000)
        #expect(calls.withLock { $0 } == after)
    }

    @Test func unsubscribeFromInsideTheHandlerDoesNotDeadlock() {
        let store = WorkloadStore()
        let idBox = Mutex<UInt64>(0)
        let calls = Mutex(0)
        let id = store.subscribe(name: "self-removing") { _, initial in
            calls.withLock { $0 += 1 }
            if !initial { store.unsubscribe(idBox.withLock { $0 }) }
        }
        idBox.withLock { $0 = id }
        store.publish(container("a"), source: "s")
        let deadline = Date().addingTimeInterval(5)
        while calls.withLock({ $0 }) < 2 && Date() < deadline { usleep(1000) }
        store.publish(container("b"), source: "s")
        usleep(100_000)
        #expect(calls.withLock { $0 } == 2)
    }

    @Test func listingJSONHasFieldsAndSources() {
        let store = WorkloadStore()
        store.publish(container("a") { $0.labels = ["team": "x"] }, source: "containerd")
        store.publish(.image(Image(id: "sha256:1", repoTags: ["r:1"], sizeBytes: 10)), source: "containerd")
        let all = store.listingJSON(kind: nil)
        guard case let .array(items) = all else { Issue.record("not an array"); return }
        #expect(items.count == 2)
        #expect(items[0]["kind"] == "container")
        #expect(items[0]["labels"]?["team"] == "x")
        #expect(items[0]["sources"] == ["containerd"])
        #expect(items[1]["size_bytes"] == 10)
        guard case let .array(images) = store.listingJSON(kind: .image) else { return }
        #expect(images.count == 1)
    }
}

/// Images listing the same layers share one copy of each digest in the store, and the
/// pool forgets a digest with the last report that held it.
@Suite struct LayerPoolTests {
    static func image(_ id: String, _ layers: [String]) -> Entity {
        // Built from fresh bytes, as a C conversion does: no two images share storage to begin with.
        .image(Image(id: id, layers: layers.map { String(decoding: Array($0.utf8), as: UTF8.self) }))
    }

    static func storage(_ text: String) -> UnsafeRawPointer? {
        var text = text
        return text.withUTF8 { UnsafeRawPointer($0.baseAddress) }
    }

    @Test func sharedLayersAreHeldOnceAndForgottenWithTheirLastImage() throws {
        let base = "sha256:" + String(repeating: "a", count: 64)
        let app = "sha256:" + String(repeating: "b", count: 64)
        let other = "sha256:" + String(repeating: "c", count: 64)
        let store = WorkloadStore()
        store.publish(Self.image("sha256:i1", [base, app]), source: "containerd")
        store.publish(Self.image("sha256:i2", [base, other]), source: "containerd")
        store.publish(Self.image("sha256:i2", [base, other]), source: "crio")
        #expect(store.pooledLayerCount == 3)
        let first = try #require(store.entity(kind: .image, id: "sha256:i1")?.image)
        let second = try #require(store.entity(kind: .image, id: "sha256:i2")?.image)
        #expect(first.layers == [base, app] && second.layers == [base, other])
        #expect(Self.storage(first.layers[0]) == Self.storage(second.layers[0]))
        #expect(Self.storage(first.layers[1]) != Self.storage(second.layers[1]))

        // A republished image with a new layer list: the dropped layer goes with it.
        store.publish(Self.image("sha256:i1", [base]), source: "containerd")
        #expect(store.pooledLayerCount == 2)
        store.remove(kind: .image, id: "sha256:i2", source: "containerd")
        #expect(store.pooledLayerCount == 2)  // crio still reports i2
        store.remove(kind: .image, id: "sha256:i2", source: "crio")
        #expect(store.pooledLayerCount == 1)
        store.remove(kind: .image, id: "sha256:i1", source: "containerd")
        #expect(store.pooledLayerCount == 0)
        #expect(store.entities(kind: .image).isEmpty)
    }
}
