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
        UnsafeRawBufferPointer(rebasing: self[r.start..<r.end])
    }

    /// Offset of the first `byte` in `r`, or nil.
    @inline(__always)
    func firstIndex(of byte: UInt8, in r: ByteRange) -> Int? {
        var i = r.start
        while i < r.end {
            if self[i] == byte { return i }
            i += 1
        }
        return nil
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
        var i = r.start
        while i < r.end {
            if self[i] == separator {
                if i > start { body(ByteRange(start: start, end: i)) }
                start = i + 1
            }
            i += 1
        }
        if r.end > start { body(ByteRange(start: start, end: r.end)) }
    }
}
