import VigilModel

/// What a mapping made of a name: the new name and the tags taken from it,
/// with their hashes made once. Its bytes stay put while it lives, so the
/// hot path can hash and prefix them like a slice of the packet.
final class MappedName {
    let name: String
    let nameBytes: UnsafeRawBufferPointer
    let tags: [String]
    let tagHashes: [UInt64]

    init(name: String, tags: [String]) {
        self.name = name
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: name.utf8.count, alignment: 1)
        bytes.copyBytes(from: Array(name.utf8))
        nameBytes = UnsafeRawBufferPointer(bytes)
        self.tags = tags
        tagHashes = tags.map { ContextKey.tagHash($0) }
    }

    deinit { nameBytes.deallocate() }
}

/// Applies `dogstatsd_mapper_profiles` to metric names, as the reference's
/// mapper does: the first profile whose prefix the name starts with (or
/// whose prefix is `*`) decides; its first matching mapping gives the new
/// name and tags; no match there leaves the name alone. Results, misses
/// included, are cached by the name's bytes, up to
/// `dogstatsd_mapper_cache_size` names (beyond it an arbitrary entry makes
/// room), so a name seen before costs a hash lookup and a byte compare,
/// and no allocation. One per worker: no locking.
final class MetricMapper {
    private struct Entry {
        var key: [UInt8]
        var result: MappedName?
    }

    let profiles: [MapperProfile]
    private let capacity: Int
    private var cache: [UInt64: Entry] = [:]

    init(profiles: [MapperProfile], cacheSize: Int) {
        self.profiles = profiles
        capacity = Swift.max(1, cacheSize)
    }

    /// The mapping of `name`, or nil when none applies. `hash` is `ContextKey.hash(name)`.
    func map(_ name: UnsafeRawBufferPointer, hash: UInt64) -> MappedName? {
        if let entry = cache[hash], entry.key.elementsEqual(name) { return entry.result }
        let result = compute(String(decoding: name, as: UTF8.self))
        if cache.count >= capacity, cache[hash] == nil { cache.remove(at: cache.startIndex) }
        cache[hash] = Entry(key: Array(name), result: result)
        return result
    }

    func compute(_ name: String) -> MappedName? {
        guard let profile = profiles.first(where: { $0.prefix == "*" || name.hasPrefix($0.prefix) }) else { return nil }
        for mapping in profile.mappings {
            guard let match = try? mapping.regex.wholeMatch(in: name) else { continue }
            let tags = mapping.tags.map { "\($0.key):\($0.value.expand(match))" }
            return MappedName(name: mapping.name.expand(match), tags: tags)
        }
        return nil
    }
}
