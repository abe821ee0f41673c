import Glibc

/// `metric_filterlist`: metric names matched exactly, or as prefixes with
/// `metric_filterlist_match_prefix` (an entry ending in `*` is a prefix
/// either way), as the reference's name matcher does. Works on the bytes of
/// a name, with one binary search per test.
struct MetricNameMatcher: Sendable {
    private let exact: [[UInt8]]
    /// Sorted, and none is a prefix of another, so the greatest entry not
    /// above a name is the only one that can be its prefix.
    private let prefixes: [[UInt8]]

    var isEmpty: Bool { exact.isEmpty && prefixes.isEmpty }

    init(_ entries: [String], matchPrefix: Bool) {
        var exact: [[UInt8]] = []
        var prefixes: [[UInt8]] = []
        for entry in entries where !entry.isEmpty {
            if entry.hasSuffix("*") {
                prefixes.append(Array(entry.utf8.dropLast()))
            } else if matchPrefix {
                prefixes.append(Array(entry.utf8))
            } else {
                exact.append(Array(entry.utf8))
            }
        }
        prefixes.sort { Self.compare($0, $1) < 0 }
        var compact: [[UInt8]] = []
        for p in prefixes where !(compact.last.map { p.starts(with: $0) } ?? false) { compact.append(p) }
        self.prefixes = compact
        self.exact = Array(Set(exact)).sorted { Self.compare($0, $1) < 0 }
    }

    func matches(_ name: UnsafeRawBufferPointer) -> Bool {
        if let i = Self.lastNotAbove(name, in: exact), Self.compare(exact[i], name) == 0 { return true }
        if let i = Self.lastNotAbove(name, in: prefixes) {
            let p = prefixes[i]
            return p.isEmpty || (p.count <= name.count && p.withUnsafeBytes { memcmp($0.baseAddress!, name.baseAddress!, p.count) == 0 })
        }
        return false
    }

    /// Index of the greatest entry ≤ `name`, or nil.
    private static func lastNotAbove(_ name: UnsafeRawBufferPointer, in sorted: [[UInt8]]) -> Int? {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if compare(sorted[mid], name) <= 0 { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : low - 1
    }

    private static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        b.withUnsafeBytes { compare(a, $0) }
    }

    /// Byte-wise order, shorter first on a common prefix (Go's string order).
    private static func compare(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Int {
        let n = Swift.min(a.count, b.count)
        let c = n == 0 ? 0 : a.withUnsafeBytes { Int(memcmp($0.baseAddress!, b.baseAddress!, n)) }
        return c != 0 ? c : a.count - b.count
    }
}
