/// Context hash → dense context index, by open addressing with linear
/// probing. Keys are already well-mixed 64-bit hashes, so a lookup is a
/// mask, a load and a compare — no `Hasher` round as with `Dictionary`.
/// Entries are only ever added; removal happens by rebuilding.
struct ContextIndexTable: ~Copyable {
    /// Hash 0 marks an empty slot; a real 0 is stored as `zeroStandIn`.
    private static let zeroStandIn: UInt64 = 0x9e37_79b9_7f4a_7c15
    private var keys: UnsafeMutablePointer<UInt64>
    private var indices: UnsafeMutablePointer<Int32>
    private var mask: Int
    private(set) var count = 0

    init(minimumCapacity: Int = 1024) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity <<= 1 }
        mask = capacity - 1
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        indices = .allocate(capacity: capacity)
    }

    deinit {
        keys.deallocate()
        indices.deallocate()
    }

    @inline(__always)
    private static func stored(_ key: UInt64) -> UInt64 { key == 0 ? zeroStandIn : key }

    /// The index stored for `key`, or -1.
    @inline(__always)
    func find(_ key: UInt64) -> Int32 {
        let k = Self.stored(key)
        var i = Int(truncatingIfNeeded: k) & mask
        while true {
            let probe = keys[i]
            if probe == k { return indices[i] }
            if probe == 0 { return -1 }
            i = (i + 1) & mask
        }
    }

    /// Adds a key that is not in the table.
    mutating func insert(_ key: UInt64, index: Int32) {
        if (count + 1) * 2 > mask + 1 { grow() }
        place(Self.stored(key), index)
        count += 1
    }

    private mutating func place(_ k: UInt64, _ index: Int32) {
        var i = Int(truncatingIfNeeded: k) & mask
        while keys[i] != 0 { i = (i + 1) & mask }
        keys[i] = k
        indices[i] = index
    }

    private mutating func grow() {
        let oldKeys = keys, oldIndices = indices, oldCapacity = mask + 1
        let capacity = oldCapacity * 2
        mask = capacity - 1
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        indices = .allocate(capacity: capacity)
        for i in 0..<oldCapacity where oldKeys[i] != 0 { place(oldKeys[i], oldIndices[i]) }
        oldKeys.deallocate()
        oldIndices.deallocate()
    }

    /// Slots, used or not.
    var capacity: Int { mask + 1 }

    /// Empties the table, keeping its capacity.
    mutating func removeAll() {
        keys.update(repeating: 0, count: mask + 1)
        count = 0
    }
}
