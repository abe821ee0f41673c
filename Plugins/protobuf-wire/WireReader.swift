/// A cursor over protobuf wire-format bytes, reading in place: the one protobuf reader of
/// the project outside swift-protobuf. The containerd module reads image listings with it
/// (no message object per record), the forwarder splits sketch payloads and the tests
/// decode what intakes received.
///
/// It never reads past its bytes: every cut, oversized length or unknown wire type throws
/// `MalformedProtobuf`. Groups (proto2 only) are refused, as a reader cannot know their
/// extent without parsing them.
public struct WireReader {
    public enum WireType: UInt64, Sendable {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    public let base: UnsafeRawBufferPointer
    /// Where the next read starts, from the start of `base`.
    public private(set) var offset: Int
    public let end: Int

    /// A reader of `bytes`, valid while they are.
    public init(_ bytes: UnsafeRawBufferPointer, from offset: Int = 0) {
        base = bytes
        self.offset = offset
        end = bytes.count
    }

    private init(base: UnsafeRawBufferPointer, offset: Int, end: Int) {
        self.base = base
        self.offset = offset
        self.end = end
    }

    public var atEnd: Bool { offset >= end }

    func malformed(_ reason: String) -> MalformedProtobuf { MalformedProtobuf(offset: offset, reason: reason) }

    public mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { throw malformed("a varint runs past the end") }
            guard shift < 64 else { throw malformed("a varint is longer than 10 bytes") }
            let byte = base[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    public mutating func tag() throws -> (field: UInt64, wireType: WireType) {
        let key = try varint()
        guard let wireType = WireType(rawValue: key & 7) else { throw malformed("wire type \(key & 7)") }
        guard key >> 3 != 0 else { throw malformed("field number 0") }
        return (key >> 3, wireType)
    }

    /// A length-delimited field's bytes, in place.
    public mutating func bytes() throws -> UnsafeRawBufferPointer {
        let length = try varint()
        guard length <= UInt64(end - offset) else { throw malformed("a length of \(length) runs past the end") }
        let slice = UnsafeRawBufferPointer(rebasing: base[offset..<offset + Int(length)])
        offset += Int(length)
        return slice
    }

    public mutating func string() throws -> String { String(decoding: try bytes(), as: UTF8.self) }

    public mutating func fixed64() throws -> UInt64 {
        try little(8)
    }

    public mutating func fixed32() throws -> UInt32 {
        UInt32(truncatingIfNeeded: try little(4))
    }

    /// The embedded message at the cursor, as a reader of its own.
    public mutating func message() throws -> WireReader {
        let start = offset
        let length = try varint()
        let from = offset
        // Compared before any conversion: a ten-byte length over Int.max is malformed input,
        // not a reason to trap.
        guard length <= UInt64(end - from) else {
            offset = start
            throw malformed("a message of \(length) bytes runs past the end")
        }
        offset = from + Int(length)
        return WireReader(base: base, offset: from, end: offset)
    }

    public mutating func skip(_ wireType: WireType) throws {
        switch wireType {
        case .varint: _ = try varint()
        case .fixed64: _ = try little(8)
        case .fixed32: _ = try little(4)
        case .lengthDelimited: _ = try bytes()
        case .startGroup, .endGroup: throw malformed("a group (proto2 only)")
        }
    }

    private mutating func little(_ count: Int) throws -> UInt64 {
        guard count <= end - offset else { throw malformed("a fixed field runs past the end") }
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(base[offset + index]) << (8 * UInt64(index)) }
        offset += count
        return value
    }
}

public struct MalformedProtobuf: Error, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "malformed protobuf at byte \(offset): \(reason)" }

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
}
