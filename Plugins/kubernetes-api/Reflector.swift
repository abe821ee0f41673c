import Foundation
import NIOCore

/// What a reflector tells its consumer.
public enum ReflectorEvent<Object: KubernetesObject>: Sendable {
    /// Added, or changed since it was last told.
    case upsert(Object)
    /// Gone from the server (a DELETED event, or missing from a relist).
    case delete(Object)
    /// A full list was applied: what the consumer was told now equals the server's set.
    case synced(count: Int)
}

/// Follows one resource the way Kubernetes clients do (API Concepts,
/// "efficient detection of changes"): list it in pages of `pageSize` with
/// `limit`/`continue`, then watch from the list's resourceVersion with
/// `allowWatchBookmarks=true`, taking each event's (and each bookmark's)
/// resourceVersion as the next starting point. A watch that ends is resumed
/// from there. A 410 Gone — as an HTTP status or an in-stream ERROR event —
/// starts over with a full list, diffed against what it knew: only objects
/// whose resourceVersion changed are told again, and those missing are told
/// deleted, so the consumer never sees a duplicate or keeps a stale object.
/// Other failures are retried with exponential backoff (250 ms to 30 s).
public final class Reflector<Object: KubernetesObject>: @unchecked Sendable {
    public typealias Handler = @Sendable (ReflectorEvent<Object>) async -> Void

    public let client: KubernetesClient
    public let path: String
    public let selector: [(String, String)]
    public let pageSize: Int
    /// Seconds the server is asked to keep a watch open (`timeoutSeconds`).
    public let watchTimeout: Int
    private let log: @Sendable (String) -> Void
    private let handler: Handler
    // Touched only by run().
    private var known: [String: Object] = [:]
    private var resourceVersion: String?
    private var backoff = Backoff()
    /// Counters for status and tests.
    public private(set) var lists = 0
    public private(set) var relistsAfterExpiry = 0

    public init(client: KubernetesClient, path: String, selector: [(String, String)] = [], pageSize: Int = 500,
                watchTimeout: Int = 300, log: @escaping @Sendable (String) -> Void = { _ in },
                handler: @escaping Handler) {
        self.client = client
        self.path = path
        self.selector = selector
        self.pageSize = pageSize
        self.watchTimeout = watchTimeout
        self.log = log
        self.handler = handler
    }

    /// Lists and watches until the task is cancelled.
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                if resourceVersion == nil { try await relist() }
                let began = ContinuousClock.now
                try await watch()
                failures = 0
                backoff.reset()
                // A server that ends every watch at once is not asked again in a tight loop.
                if ContinuousClock.now - began < .seconds(1) { try await Task.sleep(for: .seconds(1)) }
            } catch is CancellationError {
                return
            } catch let KubernetesError.expired(message) {
                // The server no longer has the history we would resume from: start over.
                log("\(path): 410 Gone (\(message)); listing again")
                resourceVersion = nil
                relistsAfterExpiry += 1
            } catch {
                if Task.isCancelled { return }
                failures += 1
                let delay = backoff.next()
                if failures == 1 || failures % 10 == 0 {
                    log("\(path): \(error); retrying in \(String(format: "%.2f", delay)) s (failure \(failures))")
                }
                do { try await Task.sleep(for: .milliseconds(Int64(delay * 1000))) } catch { return }
            }
        }
    }

    /// Every page, then the diff against what was known.
    private func relist() async throws {
        var items: [Object] = []
        var token: String?
        var listVersion: String?
        repeat {
            var query = selector
            query.append(("limit", String(pageSize)))
            if let token { query.append(("continue", token)) }
            let data = try await client.get(path, query: query)
            let page: ListEnvelope<Object>
            do { page = try JSONDecoder().decode(ListEnvelope<Object>.self, from: data) } catch {
                throw KubernetesError.malformed("list \(path): \(error)")
            }
            items.append(contentsOf: page.items ?? [])
            // The first page's resourceVersion is the whole (consistent) list's.
            if listVersion == nil { listVersion = page.metadata.resourceVersion }
            token = page.metadata.continue.flatMap { $0.isEmpty ? nil : $0 }
            try Task.checkCancellation()
        } while token != nil
        guard let listVersion, !listVersion.isEmpty else { throw KubernetesError.malformed("list \(path): no resourceVersion") }
        var fresh: [String: Object] = [:]
        fresh.reserveCapacity(items.count)
        for item in items { fresh[item.metadata.uid] = item }
        for (uid, old) in known where fresh[uid] == nil { await handler(.delete(old)) }
        for item in items where known[item.metadata.uid] != item { await handler(.upsert(item)) }
        known = fresh
        resourceVersion = listVersion
        lists += 1
        await handler(.synced(count: fresh.count))
    }

    /// One watch request, until the server ends it.
    private func watch() async throws {
        guard let from = resourceVersion else { return }
        var query = selector
        query += [("watch", "1"), ("resourceVersion", from), ("allowWatchBookmarks", "true"),
                  ("timeoutSeconds", String(watchTimeout))]
        try await client.stream(path, query: query, timeout: .seconds(Int64(watchTimeout) + 30)) { line in
            try await self.apply(line)
        }
    }

    private func apply(_ line: Data) async throws {
        let decoder = JSONDecoder()
        let head: WatchEventHead
        do { head = try decoder.decode(WatchEventHead.self, from: line) } catch {
            throw KubernetesError.malformed("watch \(path): \(error)")
        }
        switch head.type {
        case "ADDED", "MODIFIED", "DELETED":
            let event: WatchEvent<Object>
            do { event = try decoder.decode(WatchEvent<Object>.self, from: line) } catch {
                throw KubernetesError.malformed("watch \(path) \(head.type): \(error)")
            }
            let object = event.object
            if let version = object.metadata.resourceVersion { resourceVersion = version }
            if head.type == "DELETED" {
                if let old = known.removeValue(forKey: object.metadata.uid) { await handler(.delete(old)) }
            } else if known[object.metadata.uid] != object {
                known[object.metadata.uid] = object
                await handler(.upsert(object))
            }
        case "BOOKMARK":
            if let event = try? decoder.decode(WatchEvent<BookmarkObject>.self, from: line),
               let version = event.object.metadata.resourceVersion, !version.isEmpty {
                resourceVersion = version
            }
        case "ERROR":
            let status = (try? decoder.decode(WatchEvent<KubernetesStatus>.self, from: line))?.object
            if status?.code == 410 { throw KubernetesError.expired(status?.message ?? "") }
            throw KubernetesError.status(status?.code ?? 500, "watch \(path): \(status?.message ?? "ERROR event")")
        default:
            throw KubernetesError.malformed("watch \(path): unknown event type \(head.type)")
        }
    }

    /// The objects the reflector knows now (tests and status).
    public var count: Int { known.count }
}

/// Exponential backoff with jitter: 250 ms doubling to 30 s.
struct Backoff {
    var base = 0.25
    var maximum = 30.0
    private var attempt = 0

    mutating func next() -> Double {
        let delay = min(maximum, base * pow(2, Double(attempt)))
        attempt += 1
        return delay * Double.random(in: 0.8...1.0)
    }

    mutating func reset() { attempt = 0 }
}
