import Testing
import VigilForwarding

/// The forwarder's field-at-a-time reader over the shared wire reader: every wire type it
/// meets in payloads, top-level splitting, and malformed bytes ending the reading.
@Suite struct ProtobufReaderTests {
    // field 1 fixed32 = 7, field 2 fixed64 = 2^40 + 1, field 3 bytes "ab", field 4 varint 300
    static let message: [UInt8] = [0x0D, 7, 0, 0, 0,
                                   0x11, 1, 0, 0, 0, 0, 1, 0, 0,
                                   0x1A, 2, 0x61, 0x62,
                                   0x20, 0xAC, 0x02]

    @Test func readsEveryWireTypeInOrder() throws {
        var reader = ProtobufReader(Self.message)
        var seen: [String] = []
        while let (field, value) = reader.next() {
            switch value {
            case let .fixed32(v): seen.append("\(field):f32=\(v)")
            case let .fixed64(v): seen.append("\(field):f64=\(v)")
            case let .bytes(b): seen.append("\(field):bytes=\(String(decoding: b, as: UTF8.self))")
            case let .varint(v): seen.append("\(field):varint=\(v)")
            }
        }
        #expect(seen == ["1:f32=7", "2:f64=\((1 << 40) + 1)", "3:bytes=ab", "4:varint=300"])
        #expect(reader.isAtEnd)
    }

    @Test func splitsTopLevelFieldsWithTheirKeys() throws {
        let fields = try #require(ProtobufReader.topLevelFields(Self.message[...]))
        #expect(fields.count == 4)
        #expect(fields.flatMap { $0 } == Self.message)
        #expect(fields[2] == [0x1A, 2, 0x61, 0x62])
    }

    @Test func malformedBytesEndTheReading() {
        // The bytes field claims 5 bytes where 2 remain.
        var reader = ProtobufReader([0x20, 0x01, 0x1A, 5, 0x61, 0x62])
        #expect(reader.next()?.field == 4)
        #expect(reader.next() == nil)
        #expect(!reader.isAtEnd)
        #expect(ProtobufReader.topLevelFields([0x20, 0x01, 0x1A, 5, 0x61][...]) == nil)
        // A group is refused, and so is field number 0.
        var group = ProtobufReader([0x0B, 0x0C])
        #expect(group.next() == nil)
        var zero = ProtobufReader([0x00, 0x01])
        #expect(zero.next() == nil)
        #expect(ProtobufReader.packedVarints([0xAC, 0x02, 0x05]) == [300, 5])
    }
}
