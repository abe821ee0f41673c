import Glibc

/// A slice of a packet, as offsets, so that parsing never copies bytes.
/// Public and `@inlinable` with its helpers: the intake calls them per
/// byte run from another module, where a call that cannot inline costs
/// more than the work.
@frozen
public struct ByteRange: Equatable, BitwiseCopyable, Sendable {
    public var start: Int
    public var end: Int

    @inlinable public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// Computed, not a stored `static let`: from another module a global
    /// would cost a `swift_once` check on every use.
    @inlinable public static var empty: ByteRange { ByteRange(start: 0, end: 0) }

    @inlinable @inline(__always) public var isEmpty: Bool { end <= start }
    @inlinable @inline(__always) public var count: Int { end - start }
}

extension UnsafeRawBufferPointer {
    @inlinable @inline(__always)
    public func slice(_ r: ByteRange) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: baseAddress.map { $0 + r.start }, count: r.count)
    }

    /// Offset of the first `byte` in `r`, or nil. `memchr` is vectorised,
    /// which pays already on the short fields of a DogStatsD line.
    @inlinable @inline(__always)
    public func firstIndex(of byte: UInt8, in r: ByteRange) -> Int? {
        guard r.end > r.start, let base = baseAddress,
              let found = memchr(base + r.start, Int32(byte), r.end - r.start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    @inlinable @inline(__always)
    public func hasPrefix(_ prefix: StaticString, in r: ByteRange) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard r.count >= n else { return false }
        let p = prefix.utf8Start
        for i in 0..<n where self[r.start + i] != p[i] { return false }
        return true
    }

    @inlinable @inline(__always)
    public func equals(_ literal: StaticString, in r: ByteRange) -> Bool {
        r.count == literal.utf8CodeUnitCount && hasPrefix(literal, in: r)
    }

    public func string(_ r: ByteRange) -> String {
        String(decoding: slice(r), as: UTF8.self)
    }

    /// Calls `body` for each non-empty piece of `r` between `separator`s.
    @inlinable @inline(__always)
    public func forEachPiece(of r: ByteRange, separatedBy separator: UInt8, _ body: (ByteRange) -> Void) {
        var start = r.start
        while start < r.end {
            let end = firstIndex(of: separator, in: ByteRange(start: start, end: r.end)) ?? r.end
            if end > start { body(ByteRange(start: start, end: end)) }
            start = end + 1
        }
    }

    /// Calls `body` for every piece of `r` between `separator`s, empty ones
    /// included (`a||b` gives three); an empty `r` gives one empty piece.
    @inlinable @inline(__always)
    public func forEachField(of r: ByteRange, separatedBy separator: UInt8, _ body: (ByteRange) -> Void) {
        var start = r.start
        while true {
            let end = firstIndex(of: separator, in: ByteRange(start: start, end: r.end)) ?? r.end
            body(ByteRange(start: start, end: end))
            if end >= r.end { return }
            start = end + 1
        }
    }
}
