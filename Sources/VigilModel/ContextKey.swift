/// Identity of a metric context: name + host + normalised tag set, hashed
/// once with 64-bit FNV-1a so that lookups compare two integers, not strings.
/// The tag hash is order-insensitive (tags are combined by a commutative
/// mix of their individual hashes), so callers need not sort first.
public struct ContextKey: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(value: UInt64) { self.value = value }

    public init(name: String, host: String, tags: [String]) {
        self.init(name: name, host: host, tagsHash: ContextKey.hashTags(tags))
    }

    public init(name: String, host: String, tagsHash: UInt64) {
        self.init(nameHash: ContextKey.fnv1a(name, seed: ContextKey.offsetBasis),
                  hostHash: ContextKey.fnv1a(host, seed: ContextKey.offsetBasis), tagsHash: tagsHash)
    }

    /// From parts hashed separately with `fnv1a(_:seed: offsetBasis)`.
    public init(nameHash: UInt64, hostHash: UInt64, tagsHash: UInt64) {
        self.value = ContextKey.mix(nameHash &* 31 &+ ContextKey.mix(hostHash) ^ tagsHash)
    }

    /// Order-insensitive and duplicate-insensitive hash of a tag list: the
    /// sorted, de-duplicated per-tag hashes, summed. Callers that hold raw
    /// bytes (the C ABI, the DogStatsD parser) hash each tag with `tagHash`
    /// and combine with `combine(tagHashes:)` to get the same value without
    /// building Strings.
    public static func hashTags(_ tags: [String]) -> UInt64 {
        if tags.isEmpty { return 0 }
        var hashes = tags.map { tagHash($0) }
        return combine(tagHashes: &hashes)
    }

    public static func tagHash(_ tag: String) -> UInt64 { mix(fnv1a(tag, seed: offsetBasis)) }
    public static func tagHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 { mix(fnv1a(bytes, seed: offsetBasis)) }

    /// Sorts `hashes` in place and sums the distinct ones.
    public static func combine(tagHashes hashes: inout [UInt64]) -> UInt64 {
        hashes.sort()
        var acc: UInt64 = 0
        var previous: UInt64? = nil
        for h in hashes where h != previous {
            acc &+= h
            previous = h
        }
        return acc
    }

    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    public static func fnv1a(_ s: String, seed: UInt64) -> UInt64 {
        var h = seed
        var copy = s
        copy.withUTF8 { bytes in
            for b in bytes {
                h ^= UInt64(b)
                h &*= prime
            }
        }
        return h
    }

    public static func fnv1a(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var h = seed
        for b in bytes {
            h ^= UInt64(b)
            h &*= prime
        }
        return h
    }

    /// splitmix64 finaliser: spreads FNV's weak low bits.
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    public var description: String { String(value, radix: 16) }
}
