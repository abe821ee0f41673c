import Foundation
import KubernetesAPI
import Synchronization
import Testing
import VigilTestSupport

/// The reflector against the API server double: TLS and token, paged
/// lists, watch events, bookmarks, 410 in both forms, reconnection.
@Suite(.serialized) struct ReflectorTests {
    /// What a reflector told, and the set it implies.
    final class Recorder: Sendable {
        let events = Mutex<[String]>([])
        let current = Mutex<[String: Pod]>([:])
        let syncs = Mutex(0)

        func handle(_ event: ReflectorEvent<Pod>) {
            switch event {
            case let .upsert(pod):
                events.withLock { $0.append("upsert \(pod.metadata.name) \(pod.metadata.resourceVersion ?? "")") }
                current.withLock { $0[pod.metadata.uid] = pod }
            case let .delete(pod):
                events.withLock { $0.append("delete \(pod.metadata.name)") }
                current.withLock { $0[pod.metadata.uid] = nil }
            case .synced:
                events.withLock { $0.append("synced") }
                syncs.withLock { $0 += 1 }
            }
        }
        var names: [String] { current.withLock { $0.values.map(\.metadata.name).sorted() } }
        var log: [String] { events.withLock { $0 } }
    }

    struct Fixture {
        let folder: String
        let server: KubernetesAPIDouble
        init() throws {
            folder = try TrustedScratch.folder("vigil-kube")
            server = try KubernetesAPIDouble(folder: folder, bookmarkInterval: 0.3)
        }
        func client() throws -> KubernetesClient {
            try KubernetesClient(config: try KubernetesConfig.kubeconfig(path: server.kubeconfigFile))
        }
        func remove() {
            server.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }
        func serverNames(_ resource: String = "pods") throws -> [String] {
            try server.objects(resource).compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }.sorted()
        }
    }

    /// Polls without blocking a thread of the cooperative pool the reflector runs on.
    /// The deadline is generous on purpose: the unit suites run in parallel and
    /// synchronous ones (compilers, sleeps) can hold both threads of a 2-core
    /// pool for many seconds, during which the reflector cannot run at all. A
    /// condition that holds returns at once, so only a failure waits it out.
    static func eventually(_ seconds: Double = 60, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try condition()
    }

    func run(_ reflector: Reflector<Pod>) -> Task<Void, Never> { Task.detached { await reflector.run() } }

    @Test func listsInPagesThenWatchesFromTheListsVersion() async throws {
        let f = try Fixture()
        defer { f.remove() }
        try f.server.put("pods", (1...5).map { KubernetesAPIDouble.pod(name: "p\($0)", node: $0 == 5 ? "node-b" : "node-a") })
        let client = try f.client()
        let recorder = Recorder()
        let reflector = Reflector<Pod>(client: client, path: "/api/v1/pods", selector: [("fieldSelector", "spec.nodeName=node-a")],
                                       pageSize: 2) { recorder.handle($0) }
        let task = run(reflector)
        #expect(await Self.eventually { recorder.names == ["p1", "p2", "p3", "p4"] })
        let requests = try f.server.requests()
        let lists = requests.filter { !$0.isWatch }
        // 4 pods of node-a in pages of 2: a first page, then one `continue`, the last page ending the list.
        #expect(lists.count == 2, "\(lists.map(\.query))")
        #expect(lists.allSatisfy { $0.query["limit"] == "2" && $0.query["fieldSelector"] == "spec.nodeName=node-a" && $0.authorized })
        #expect(lists.first?.query["continue"] == nil)
        #expect(lists.last?.query["continue"]?.isEmpty == false)
        #expect(await Self.eventually { (try? f.server.requests().contains { $0.isWatch }) == true })
        let watch = try #require(try f.server.requests().first { $0.isWatch })
        #expect(watch.query["resourceVersion"] == "1005")
        #expect(watch.query["allowWatchBookmarks"] == "true")
        #expect(watch.query["fieldSelector"] == "spec.nodeName=node-a")

        // Watch events: added, modified, deleted; node-b's are filtered by the server.
        try f.server.put("pods", [KubernetesAPIDouble.pod(name: "p6"), KubernetesAPIDouble.pod(name: "p7", node: "node-b")])
        var changed = KubernetesAPIDouble.pod(name: "p1")
        changed["status"] = ["phase": "Succeeded"]
        try f.server.put("pods", [changed])
        try f.server.delete("pods", namespace: "default", name: "p2")
        #expect(await Self.eventually { recorder.names == ["p1", "p3", "p4", "p6"] })
        #expect(await Self.eventually { recorder.current.withLock { $0.values.first { $0.metadata.name == "p1" }?.status?.phase } == "Succeeded" })
        task.cancel()
        await task.value
        await client.shutdown()
        #expect(recorder.log.filter { $0 == "synced" }.count == 1)
        #expect(reflector.lists == 1)
    }

    @Test func aBookmarksVersionIsWhereTheNextWatchStarts() async throws {
        let f = try Fixture()
        defer { f.remove() }
        try f.server.put("pods", [KubernetesAPIDouble.pod(name: "a")])
        // Changes the reflector does not see (another node) move the server's version on.
        let client = try f.client()
        let recorder = Recorder()
        // Watches end after 1 s, so the reflector starts a new one from its last version.
        let reflector = Reflector<Pod>(client: client, path: "/api/v1/pods", selector: [("fieldSelector", "spec.nodeName=node-a")],
                                       watchTimeout: 1) { recorder.handle($0) }
        let task = run(reflector)
        #expect(await Self.eventually { recorder.names == ["a"] })
        try f.server.put("pods", [KubernetesAPIDouble.pod(name: "elsewhere", node: "node-b")])  // version 1002
        #expect(await Self.eventually { (try? f.server.requests().filter(\.isWatch).count ?? 0) ?? 0 >= 3 })
        task.cancel()
        await task.value
        await client.shutdown()
        let watches = try f.server.requests().filter(\.isWatch)
        #expect(watches[0].query["resourceVersion"] == "1001")
        // Only a bookmark could have told the reflector about 1002: no event of node-b reached it.
        #expect(watches.last?.query["resourceVersion"] == "1002", "\(watches.map(\.query))")
        #expect(recorder.log == ["upsert a 1001", "synced"])
        #expect(reflector.lists == 1)
    }

    @Test func anInStream410RelistsWithoutDuplicatesOrStaleObjects() async throws {
        let f = try Fixture()
        defer { f.remove() }
        try f.server.put("pods", ["a", "b", "c"].map { KubernetesAPIDouble.pod(name: $0) })
        let client = try f.client()
        let recorder = Recorder()
        let reflector = Reflector<Pod>(client: client, path: "/api/v1/pods", pageSize: 2) { recorder.handle($0) }
        let task = run(reflector)
        #expect(await Self.eventually { recorder.names == ["a", "b", "c"] })
        #expect(await Self.eventually { ((try? f.server.openWatches) ?? 0) == 1 })
        // The watch expires in-stream (and the history is compacted); then b goes and d comes.
        try f.server.expireWatches()
        try f.server.delete("pods", namespace: "default", name: "b")
        try f.server.put("pods", [KubernetesAPIDouble.pod(name: "d")])
        #expect(await Self.eventually { recorder.log.filter { $0 == "synced" }.count >= 2 })
        #expect(await Self.eventually { recorder.names == (try? f.serverNames()) })
        #expect(recorder.names == ["a", "c", "d"])
        task.cancel()
        await task.value
        await client.shutdown()
        #expect(reflector.relistsAfterExpiry >= 1)
        // a and c were told once each: the relist found them unchanged.
        #expect(recorder.log.filter { $0.hasPrefix("upsert a ") }.count == 1, "\(recorder.log)")
        #expect(recorder.log.filter { $0.hasPrefix("upsert c ") }.count == 1, "\(recorder.log)")
        #expect(recorder.log.contains("delete b"))
    }

    @Test func anHTTP410OnWatchRelists() async throws {
        let f = try Fixture()
        defer { f.remove() }
        try f.server.put("pods", ["a", "b"].map { KubernetesAPIDouble.pod(name: $0) })
        let client = try f.client()
        let recorder = Recorder()
        let reflector = Reflector<Pod>(client: client, path: "/api/v1/pods") { recorder.handle($0) }
        let task = run(reflector)
        #expect(await Self.eventually { recorder.names == ["a", "b"] })
        try f.server.delete("pods", namespace: "default", name: "a")
        #expect(await Self.eventually { recorder.names == ["b"] })
        // The history is compacted and the watch ends: the next one, from an older version, is refused with HTTP 410.
        try f.server.compact(mode: "http", endWatches: true)
        try f.server.put("pods", [KubernetesAPIDouble.pod(name: "e")])
        try f.server.delete("pods", namespace: "default", name: "b")
        // Nothing after the compaction is in the history: only a relist can find e and miss b.
        #expect(await Self.eventually { recorder.names == ["e"] })
        task.cancel()
        await task.value
        await client.shutdown()
        #expect(reflector.relistsAfterExpiry >= 1)
        #expect(reflector.lists >= 2)
    }

    @Test func theTokenIsReadAgainWhenItsFileChanges() async throws {
        let f = try Fixture()
        defer { f.remove() }
        try f.server.put("pods", [KubernetesAPIDouble.pod(name: "a")])
        let client = try f.client()
        let recorder = Recorder()
        let reflector = Reflector<Pod>(client: client, path: "/api/v1/pods", watchTimeout: 1) { recorder.handle($0) }
        let task = run(reflector)
        #expect(await Self.eventually { recorder.names == ["a"] })
        try f.server.rotateServerToken("token-two")
        try "token-two\n".write(toFile: f.server.clientTokenFile, atomically: true, encoding: .utf8)
        try f.server.clearRequests()
        #expect(await Self.eventually { (try? f.server.requests().contains { $0.isWatch && $0.authorized }) == true })
        task.cancel()
        await task.value
        await client.shutdown()
        let after = try f.server.requests()
        #expect(after.allSatisfy { $0.token == "token-two" && $0.authorized }, "\(after.map(\.token))")
        #expect(client.tokenReads == 2)
    }

    @Test func aWrongTokenOrAnotherCAIsRefused() async throws {
        let f = try Fixture()
        defer { f.remove() }
        // The server's certificate does not chain to this CA: the TLS handshake fails, nothing is sent.
        try KubernetesAPIDouble.makeCertificates(in: f.folder, prefix: "other-")
        var config = try KubernetesConfig.kubeconfig(path: f.server.kubeconfigFile)
        config.caPEM = Array(try Data(contentsOf: URL(fileURLWithPath: f.folder + "/other-ca.crt")))
        let stranger = try KubernetesClient(config: config)
        await #expect(throws: KubernetesError.self) { _ = try await stranger.get("/api/v1/pods") }
        await stranger.shutdown()
        #expect(try f.server.requests().isEmpty)

        try "not-the-token".write(toFile: f.server.clientTokenFile, atomically: true, encoding: .utf8)
        let client = try f.client()
        do {
            _ = try await client.get("/api/v1/pods")
            Issue.record("a wrong token was accepted")
        } catch let error as KubernetesError {
            guard case let .status(code, _) = error else { Issue.record("\(error)"); return }
            #expect(code == 401)
        }
        await client.shutdown()
        #expect(try f.server.requests().map(\.authorized) == [false])
    }

    @Test func anExpiredContinueTokenIs410() async throws {
        let f = try Fixture()
        defer { f.remove() }
        try f.server.put("pods", ["a", "b", "c"].map { KubernetesAPIDouble.pod(name: $0) })
        let client = try f.client()
        let first = try await client.get("/api/v1/pods", query: [("limit", "1")])
        let page = try JSONSerialization.jsonObject(with: first) as! [String: Any]
        let token = try #require((page["metadata"] as? [String: Any])?["continue"] as? String)
        try f.server.compact(mode: "http")
        await #expect(throws: KubernetesError.expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")) {
            _ = try await client.get("/api/v1/pods", query: [("limit", "1"), ("continue", token)])
        }
        await client.shutdown()
    }
}
