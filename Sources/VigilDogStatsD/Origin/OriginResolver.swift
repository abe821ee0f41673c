import Foundation
import VigilModel

/// Sender PID (from SO_PASSCRED) or client container id (`|c:`) → the
/// container's tags. Results are cached for `ttl` seconds so that the
/// steady state costs one dictionary lookup per packet. A miss is cached
/// briefly (`missTTL`), so a host process sending a flood does not re-read
/// `/proc` each time, yet a new container's first packets, which may race its
/// arrival in the workload store, do not leave it untagged for long.
/// Owned by one worker thread: no locking.
final class OriginResolver {
    private struct Entry {
        var origin: OriginTags
        var expires: UInt64
    }

    private let tagProvider: TagProvider?
    private let cardinality: TagCardinality
    private let procRoot: String
    private let ttlNanoseconds: UInt64
    private let missTTLNanoseconds: UInt64
    private let counters: DogStatsDCounters
    /// Cache keys: a PID or a container id's hash, at a cardinality.
    private struct Key: Hashable {
        var id: UInt64
        var cardinality: TagCardinality
    }

    private var byPID: [Key: Entry] = [:]
    private var byContainer: [Key: Entry] = [:]
    private var byPod: [Key: Entry] = [:]
    private static let maxEntries = 16_384

    init(tagProvider: TagProvider?, cardinality: TagCardinality, counters: DogStatsDCounters,
         procRoot: String = "/proc", ttlSeconds: Double = 30, missTTLSeconds: Double = 2) {
        self.tagProvider = tagProvider
        self.cardinality = cardinality
        self.counters = counters
        self.procRoot = procRoot
        self.ttlNanoseconds = UInt64(ttlSeconds * 1e9)
        self.missTTLNanoseconds = UInt64(missTTLSeconds * 1e9)
    }

    /// The origin of a packet from `pid`, with its tags at `cardinality`
    /// (nil: the configured one). -1 means no credentials (UDP).
    func origin(pid: Int32, cardinality: TagCardinality? = nil) -> OriginTags {
        if pid < 0 { return .none }
        if pid == 0 {
            counters.pidZero.add(1, ordering: .relaxed)
            return .none
        }
        let key = Key(id: UInt64(pid), cardinality: cardinality ?? self.cardinality)
        return cached(in: &byPID, key) { resolve(pid: pid, cardinality: key.cardinality) }
    }

    /// The origin a client declared with `|c:<container id>`.
    func origin(containerID bytes: UnsafeRawBufferPointer, cardinality: TagCardinality? = nil) -> OriginTags {
        let key = Key(id: ContextKey.hash(bytes), cardinality: cardinality ?? self.cardinality)
        return cached(in: &byContainer, key) {
            tags(forContainer: String(decoding: bytes, as: UTF8.self), cardinality: key.cardinality)
        }
    }

    /// The tags of the pod a client named with `dd.internal.entity_id:<uid>`
    /// (what clients send when `DD_ENTITY_ID` is set), from the tagger's
    /// `kubernetes_pod_uid://<uid>` entity; none, and counted as
    /// unresolved, while that pod is not known.
    func origin(podUID bytes: UnsafeRawBufferPointer, cardinality: TagCardinality? = nil) -> OriginTags {
        let key = Key(id: ContextKey.hash(bytes), cardinality: cardinality ?? self.cardinality)
        let now = MonotonicClock.nanoseconds()
        if let entry = byPod[key], entry.expires > now {
            if entry.origin.tags.isEmpty { counters.entityIDUnresolved.add(1, ordering: .relaxed) }
            return entry.origin
        }
        let uid = String(decoding: bytes, as: UTF8.self)
        let tags = tagProvider?.tags(forEntity: "kubernetes_pod_uid://\(uid)", cardinality: key.cardinality) ?? []
        let origin = tags.isEmpty ? OriginTags.none : OriginTags(containerID: nil, tags: tags)
        if byPod.count >= Self.maxEntries { byPod.removeAll(keepingCapacity: true) }
        byPod[key] = Entry(origin: origin, expires: now + ttl(origin))
        if tags.isEmpty { counters.entityIDUnresolved.add(1, ordering: .relaxed) }
        return origin
    }

    private func cached(in cache: inout [Key: Entry], _ key: Key, resolve: () -> OriginTags) -> OriginTags {
        let now = MonotonicClock.nanoseconds()
        if let entry = cache[key], entry.expires > now {
            countLookup(entry.origin)
            return entry.origin
        }
        let origin = resolve()
        if cache.count >= Self.maxEntries { cache.removeAll(keepingCapacity: true) }
        cache[key] = Entry(origin: origin, expires: now + ttl(origin))
        countLookup(origin)
        return origin
    }

    private func ttl(_ origin: OriginTags) -> UInt64 {
        origin.tags.isEmpty ? missTTLNanoseconds : ttlNanoseconds
    }

    private func countLookup(_ origin: OriginTags) {
        if origin.tags.isEmpty {
            counters.originMisses.add(1, ordering: .relaxed)
        } else {
            counters.originHits.add(1, ordering: .relaxed)
        }
    }

    private func resolve(pid: Int32, cardinality: TagCardinality) -> OriginTags {
        guard let text = try? String(contentsOfFile: "\(procRoot)/\(pid)/cgroup", encoding: .utf8) else { return .none }
        let found = CgroupContainerID.parse(text)
        if let id = found.containerID { return tags(forContainer: id, cardinality: cardinality) }
        guard let tagProvider else { return .none }
        for path in found.paths {
            if let id = tagProvider.containerID(forCgroupPath: path) { return tags(forContainer: id, cardinality: cardinality) }
        }
        return .none
    }

    private func tags(forContainer id: String, cardinality: TagCardinality) -> OriginTags {
        let tags = tagProvider?.tags(forEntity: "container_id://\(id)", cardinality: cardinality) ?? []
        return OriginTags(containerID: id, tags: tags)
    }
}
