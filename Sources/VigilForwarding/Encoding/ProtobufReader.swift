/// Reads protobuf wire format: enough to split a sketch payload into its
/// top-level fields and, in tests, to decode what the intake received.
public struct ProtobufReader {
    public enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes([UInt8])
        case fixed32(UInt32)
    }

    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { position >= bytes.count }

    public mutating func varint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count, shift < 64 {
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        return nil
    }

    /// The next (field number, value); nil at the end or on malformed input.
    public mutating func next() -> (field: Int, value: Value)? {
        guard !isAtEnd, let key = varint() else { return nil }
        let field = Int(key >> 3)
        switch key & 7 {
        case 0:
            guard let v = varint() else { return nil }
            return (field, .varint(v))
        case 1:
            guard position + 8 <= bytes.count else { return nil }
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
            position += 8
            return (field, .fixed64(v))
        case 2:
            guard let length = varint(), length <= UInt64(bytes.count - position) else { return nil }
            let start = position
            position += Int(length)
            return (field, .bytes(Array(bytes[start..<position])))
        case 5:
            guard position + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
            position += 4
            return (field, .fixed32(v))
        default:
            return nil
        }
    }

    /// Each top-level field as its own encoded bytes (key included).
    public static func topLevelFields(_ slice: ArraySlice<UInt8>) -> [[UInt8]]? {
        var reader = ProtobufReader(Array(slice))
        var fields: [[UInt8]] = []
        var start = 0
        while !reader.isAtEnd {
            guard reader.next() != nil else { return nil }
            fields.append(Array(reader.bytes[start..<reader.position]))
            start = reader.position
        }
        return fields
    }

    /// Packed repeated varints.
    public static func packedVarints(_ bytes: [UInt8]) -> [UInt64] {
        var reader = ProtobufReader(bytes)
        var values: [UInt64] = []
        while !reader.isAtEnd, let v = reader.varint() { values.append(v) }
        return values
    }
}
