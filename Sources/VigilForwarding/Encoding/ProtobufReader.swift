import ProtobufWire

/// Protobuf fields of an owned byte array, one at a time, over the project's one wire
/// reader (`WireReader`): enough to split a sketch payload into its top-level fields and, in
/// tests, to decode what an intake received. Malformed input ends the reading (nil).
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

    /// Runs `read` on a wire reader at the current position and moves past what it read;
    /// nil (and no move) when the bytes there are malformed.
    private mutating func reading<T>(_ read: (inout WireReader) throws -> T) -> T? {
        let start = position
        let (value, end): (T?, Int) = bytes.withUnsafeBytes { raw in
            var reader = WireReader(raw, from: start)
            guard let value = try? read(&reader) else { return (nil, start) }
            return (value, reader.offset)
        }
        position = end
        return value
    }

    public mutating func varint() -> UInt64? { reading { try $0.varint() } }

    /// The next (field number, value); nil at the end or on malformed input.
    public mutating func next() -> (field: Int, value: Value)? {
        guard !isAtEnd else { return nil }
        return reading { reader in
            let (field, wireType) = try reader.tag()
            let value: Value
            switch wireType {
            case .varint: value = .varint(try reader.varint())
            case .fixed64: value = .fixed64(try reader.fixed64())
            case .fixed32: value = .fixed32(try reader.fixed32())
            case .lengthDelimited: value = .bytes(Array(try reader.bytes()))
            case .startGroup, .endGroup: throw MalformedProtobuf(offset: reader.offset, reason: "a group")
            }
            return (Int(field), value)
        }
    }

    /// Each top-level field as its own encoded bytes (key included).
    public static func topLevelFields(_ slice: ArraySlice<UInt8>) -> [[UInt8]]? {
        let bytes = Array(slice)
        return bytes.withUnsafeBytes { raw in
            var reader = WireReader(raw)
            var fields: [[UInt8]] = []
            while !reader.atEnd {
                let start = reader.offset
                do {
                    let wireType = try reader.tag().wireType
                    try reader.skip(wireType)
                } catch {
                    return nil
                }
                fields.append(Array(bytes[start..<reader.offset]))
            }
            return fields
        }
    }

    /// Packed repeated varints.
    public static func packedVarints(_ bytes: [UInt8]) -> [UInt64] {
        var reader = ProtobufReader(bytes)
        var values: [UInt64] = []
        while !reader.isAtEnd, let v = reader.varint() { values.append(v) }
        return values
    }
}
