/// Control characters (C0 and DEL) in names and tags are refused where they
/// enter: stored, they would reach terminals through `vigil query` and
/// status, and dashboards through the intake. Word at a time: the DogStatsD
/// path checks every line it parses.
public enum ControlBytes {
    @inlinable
    public static func contained(in bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        while i + 8 <= bytes.count {
            let word = (base + i).loadUnaligned(as: UInt64.self)
            // A byte below 0x20, or a zero byte once DEL (0x7F) is flipped to zero.
            let below = (word &- ones &* 0x20) & ~word & highs
            let del = word ^ (ones &* 0x7F)
            if below | ((del &- ones) & ~del & highs) != 0 { return true }
            i += 8
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte < 0x20 || byte == 0x7F { return true }
            i += 1
        }
        return false
    }
}

extension Unicode.Scalar {
    /// Characters a terminal acts on rather than shows: C0 and C1 controls, DEL,
    /// and the bidirectional overrides that make text read other than it is.
    @inlinable
    public var isTerminalControl: Bool {
        let v = value
        return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }
}
