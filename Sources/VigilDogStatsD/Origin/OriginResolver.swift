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
    private var byPID: [Int32: Entry] = [:]
    private var byContainer: [UInt64: Entry] = [:]
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

    /// The origin of a packet from `pid`. -1 means no credentials (UDP).
    func origin(pid: Int32) -> OriginTags {
        if pid < 0 { return .none }
        if pid == 0 {
            counters.pidZero.add(1, ordering: .relaxed)
            return .none
        }
        let now = MonotonicClock.nanoseconds()
        if let entry = byPID[pid], entry.expires > now {
            countLookup(entry.origin)
            return entry.origin
        }
        let origin = resolve(pid: pid)
        if byPID.count >= Self.maxEntries { byPID.removeAll(keepingCapacity: true) }
        byPID[pid] = Entry(origin: origin, expires: now + ttl(origin))
        countLookup(origin)
        return origin
    }

    /// The origin a client declared with `|c:<container id>`.
    func origin(containerID bytes: UnsafeRawBufferPointer) -> OriginTags {
        let hash = ContextKey.hash(bytes)
        let now = MonotonicClock.nanoseconds()
        if let entry = byContainer[hash], entry.expires > now {
            countLookup(entry.origin)
            return entry.origin
        }
        let id = String(decoding: bytes, as: UTF8.self)
        let origin = tags(forContainer: id)
        if byContainer.count >= Self.maxEntries { byContainer.removeAll(keepingCapacity: true) }
        byContainer[hash] = Entry(origin: origin, expires: now + ttl(origin))
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

    private func resolve(pid: Int32) -> OriginTags {
        guard let text = try? String(contentsOfFile: "\(procRoot)/\(pid)/cgroup", encoding: .utf8) else { return .none }
        let found = CgroupContainerID.parse(text)
        if let id = found.containerID { return tags(forContainer: id) }
        guard let tagProvider else { return .none }
        for path in found.paths {
            if let id = tagProvider.containerID(forCgroupPath: path) { return tags(forContainer: id) }
        }
        return .none
    }

    private func tags(forContainer id: String) -> OriginTags {
        let tags = tagProvider?.tags(forEntity: "container_id://\(id)", cardinality: cardinality) ?? []
        return OriginTags(containerID: id, tags: tags)
    }
}
