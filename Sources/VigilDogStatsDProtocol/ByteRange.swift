import Glibc

/// A slice of a packet, as offsets, so that parsing never copies bytes.
struct ByteRange: Equatable {
    var start: Int
    var end: Int

    static let empty = ByteRange(start: 0, end: 0)

    @inline(__always) var isEmpty: Bool { end <= start }
    @inline(__always) var count: Int { end - start }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func slice(_ r: ByteRange) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: baseAddress.map { $0 + r.start }, count: r.count)
    }

    /// Offset of the first `byte` in `r`, or nil. `memchr` is vectorised,
    /// which pays already on the short fields of a DogStatsD line.
    @inline(__always)
    func firstIndex(of byte: UInt8, in r: ByteRange) -> Int? {
        guard r.end > r.start, let base = baseAddress,
              let found = memchr(base + r.start, Int32(byte), r.end - r.start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    @inline(__always)
    func hasPrefix(_ prefix: StaticString, in r: ByteRange) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard r.count >= n else { return false }
        let p = prefix.utf8Start
        for i in 0..<n where self[r.start + i] != p[i] { return false }
        return true
    }

    @inline(__always)
    func equals(_ literal: StaticString, in r: ByteRange) -> Bool {
        r.count == literal.utf8CodeUnitCount && hasPrefix(literal, in: r)
    }

    func string(_ r: ByteRange) -> String {
        String(decoding: slice(r), as: UTF8.self)
    }

    /// Calls `body` for each non-empty piece of `r` between `separator`s.
    @inline(__always)
    func forEachPiece(of r: ByteRange, separatedBy separator: UInt8, _ body: (ByteRange) -> Void) {
        var start = r.start
        while start < r.end {
            let end = firstIndex(of: separator, in: ByteRange(start: start, end: r.end)) ?? r.end
            if end > start { body(ByteRange(start: start, end: end)) }
            start = end + 1
        }
    }
}
