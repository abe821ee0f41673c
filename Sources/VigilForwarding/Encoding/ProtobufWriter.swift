/// The handful of protobuf wire-format primitives the sketch and remote
/// write payloads need;
/// hand-written so that no generated code or protoc step is involved.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    static func varintSize(_ value: UInt64) -> Int {
        var v = value
        var size = 1
        while v >= 0x80 {
            v >>= 7
            size += 1
        }
        return size
    }

    enum WireType: UInt8 { case varint = 0, fixed64 = 1, lengthDelimited = 2 }

    mutating func key(_ field: Int, _ wire: WireType) { varint(UInt64(field) << 3 | UInt64(wire.rawValue)) }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// proto3 omits default (zero) scalars; so do we.
    mutating func int64(_ field: Int, _ value: Int64) {
        guard value != 0 else { return }
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func double(_ field: Int, _ value: Double) {
        guard value != 0 else { return }
        key(field, .fixed64)
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        let utf8 = value.utf8
        key(field, .lengthDelimited)
        varint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func bytesField(_ field: Int, _ value: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func packedSInt32(_ field: Int, _ values: [Int32]) {
        guard !values.isEmpty else { return }
        var inner = ProtobufWriter()
        for v in values { inner.varint(UInt64(UInt32(bitPattern: (v << 1) ^ (v >> 31)))) }
        bytesField(field, inner.bytes)
    }

    mutating func packedUInt32(_ field: Int, _ values: [UInt32]) {
        guard !values.isEmpty else { return }
        var inner = ProtobufWriter()
        for v in values { inner.varint(UInt64(v)) }
        bytesField(field, inner.bytes)
    }
}
