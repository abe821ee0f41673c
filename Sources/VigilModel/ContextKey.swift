/// Identity of a metric context: name + host + normalised tag set, hashed
/// once to 64 bits so that lookups compare integers, not strings.
/// The tag hash is order-insensitive (tags are combined by a commutative
/// mix of their individual hashes), so callers need not sort first.
public struct ContextKey: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(value: UInt64) { self.value = value }

    public init(name: String, host: String, tags: [String]) {
        self.init(name: name, host: host, tagsHash: ContextKey.hashTags(tags))
    }

    public init(name: String, host: String, tagsHash: UInt64) {
        self.init(nameHash: ContextKey.hash(name), hostHash: ContextKey.hash(host), tagsHash: tagsHash)
    }

    /// From parts hashed separately with `hash(_:)`.
    public init(nameHash: UInt64, hostHash: UInt64, tagsHash: UInt64) {
        self.value = ContextKey.mix(nameHash &* 31 &+ ContextKey.mix(hostHash) ^ tagsHash)
    }

    /// Order-insensitive and duplicate-insensitive hash of a tag list: the
    /// sum of the distinct per-tag hashes. Callers that hold raw bytes (the
    /// C ABI, the DogStatsD parser) hash each tag with `tagHash` and combine
    /// with `combine(tagHashes:)` to get the same value without building Strings.
    public static func hashTags(_ tags: [String]) -> UInt64 {
        if tags.isEmpty { return 0 }
        var hashes = tags.map { tagHash($0) }
        return combine(tagHashes: &hashes)
    }

    public static func tagHash(_ tag: String) -> UInt64 { mix(hash(tag)) }
    @inline(__always)
    public static func tagHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 { mix(hash(bytes)) }

    /// The sum of the distinct hashes; may reorder `hashes`.
    public static func combine(tagHashes hashes: inout [UInt64]) -> UInt64 {
        hashes.withUnsafeMutableBufferPointer { combine(tagHashes: $0) }
    }

    /// The sum of the distinct hashes; may reorder `hashes`. Short lists (the
    /// usual handful of tags) are de-duplicated by comparing pairs, which is
    /// cheaper than sorting them.
    @inline(__always)
    public static func combine(tagHashes hashes: UnsafeMutableBufferPointer<UInt64>) -> UInt64 {
        var hashes = hashes
        let n = hashes.count
        var acc: UInt64 = 0
        if n <= 16 {
            for i in 0..<n {
                let h = hashes[i]
                var seen = false
                var j = 0
                while j < i {
                    if hashes[j] == h { seen = true; break }
                    j += 1
                }
                if !seen { acc &+= h }
            }
            return acc
        }
        hashes.sort()
        var previous: UInt64? = nil
        for h in hashes where h != previous {
            acc &+= h
            previous = h
        }
        return acc
    }

    /// The context hash of a name, host or tag: eight bytes per step
    /// (a 64×64→128-bit multiply folded back to 64 bits), so a long tag
    /// costs a few nanoseconds rather than one multiply per byte.
    @inline(__always)
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var n = bytes.count
        var h = hashSeed ^ (UInt64(truncatingIfNeeded: n) &* hashPrime1)
        guard var p = bytes.baseAddress else { return h }
        while n >= 8 {
            h = fold(h ^ p.loadUnaligned(as: UInt64.self), hashPrime2)
            p += 8
            n -= 8
        }
        if n > 0 {
            // The last 1–7 bytes, read without going past the end.
            let tail: UInt64
            if n >= 4 {
                tail = UInt64(p.loadUnaligned(as: UInt32.self)) << 32
                    | UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
            } else {
                tail = UInt64(p.load(as: UInt8.self)) << 16 | UInt64(p.load(fromByteOffset: n >> 1, as: UInt8.self)) << 8
                    | UInt64(p.load(fromByteOffset: n - 1, as: UInt8.self))
            }
            h = fold(h ^ tail, hashPrime3)
        }
        return h
    }

    public static func hash(_ s: String) -> UInt64 {
        var copy = s
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    static let hashSeed: UInt64 = 0x243f_6a88_85a3_08d3
    static let hashPrime1: UInt64 = 0xa076_1d64_78bd_642f
    static let hashPrime2: UInt64 = 0xe703_7ed1_a0b4_28db
    static let hashPrime3: UInt64 = 0x8ebc_6af0_9c88_c6e3

    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// FNV-1a: a stable digest for identifiers that outlive the process
    /// (check ids); contexts use the faster `hash`.
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

    /// splitmix64 finaliser: spreads a hash's bits.
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    public var description: String { String(value, radix: 16) }
}
