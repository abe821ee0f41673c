import ContainerdAPI
import ContainerdImageIndex
import Foundation
import SwiftProtobuf
import Testing

/// The image listing read from its protobuf bytes: the same records swift-protobuf's own
/// decoding gives, whatever else the response carries, and a clear error for a cut response.
@Suite struct ImageListingWireTests {
    static func image(_ name: String, digest: String, size: Int64, labels: [String: String] = [:]) -> Containerd_Services_Images_V1_Image {
        var image = Containerd_Services_Images_V1_Image()
        image.name = name
        image.labels = labels
        image.target.digest = digest
        image.target.mediaType = "application/vnd.oci.image.index.v1+json"
        image.target.size = size
        image.target.annotations = ["org.opencontainers.image.ref.name": name]
        image.createdAt = Google_Protobuf_Timestamp(seconds: 1_700_000_000, nanos: 5)
        image.updatedAt = Google_Protobuf_Timestamp(seconds: 1_700_000_100, nanos: 0)
        return image
    }

    static let digestA = "sha256:" + String(repeating: "a1", count: 32)
    static let digestB = "sha256:" + String(repeating: "b2", count: 32)

    static func response() -> Containerd_Services_Images_V1_ListImagesResponse {
        var response = Containerd_Services_Images_V1_ListImagesResponse()
        response.images = [
            image("docker.io/library/app:1", digest: digestA, size: 1_234, labels: ["io.cri-containerd.image": "managed", "k": "v"]),
            image("docker.io/library/app@" + digestA, digest: digestA, size: 1_234),
            image("registry.example/ünïcode/ß:latest", digest: digestB, size: 1 << 40),
        ]
        return response
    }

    static func decode(_ data: Data) throws -> (records: [ListedImage], bytes: Int) {
        try data.withUnsafeBytes { try ImageListingWire.decode($0, namespace: "k8s.io") }
    }

    @Test func theRecordsAreThoseSwiftProtobufReads() throws {
        let response = Self.response()
        let data: Data = try response.serializedData()
        let decoded = try Self.decode(data)
        let expected = response.images.map {
            ListedImage(namespace: "k8s.io", name: $0.name,
                        target: .init(digest: $0.target.digest, mediaType: $0.target.mediaType, size: $0.target.size))
        }
        #expect(decoded.records == expected)
        #expect(decoded.bytes == data.count)
    }

    @Test func unknownFieldsOfEveryWireTypeAreSkipped() throws {
        var data: Data = try Self.response().serializedData()
        // Field 15 as a varint, field 16 fixed64, field 17 length-delimited, field 18 fixed32:
        // fields a newer containerd might add beside `images`.
        data.append(contentsOf: [0x78, 0x96, 0x01])
        data.append(contentsOf: [0x81, 0x01] + [UInt8](repeating: 7, count: 8))
        data.append(contentsOf: [0x8A, 0x01, 0x03, 0x61, 0x62, 0x63])
        data.append(contentsOf: [0x95, 0x01] + [UInt8](repeating: 9, count: 4))
        let decoded = try Self.decode(data)
        #expect(decoded.records.map(\.name) == Self.response().images.map(\.name))
    }

    @Test func referencesToOneTargetShareOneDigestString() throws {
        let decoded = try Self.decode(try Self.response().serializedData())
        func storage(_ string: String) -> UnsafeRawPointer? {
            var copy = string
            return copy.withUTF8 { UnsafeRawPointer($0.baseAddress) }
        }
        let (first, second, third) = (decoded.records[0], decoded.records[1], decoded.records[2])
        #expect(first.target.digest == second.target.digest)
        #expect(storage(first.target.digest) == storage(second.target.digest))
        #expect(storage(first.target.mediaType) == storage(third.target.mediaType))
        #expect(storage(first.target.digest) != storage(third.target.digest))
    }

    @Test func anEmptyResponseHasNoRecords() throws {
        let decoded = try Self.decode(Data())
        #expect(decoded.records.isEmpty && decoded.bytes == 0)
    }

    @Test func aCutResponseIsRefusedNeverMisread() throws {
        let data: Data = try Self.response().serializedData()
        // Every cut inside the first record's bytes: an error naming the offset, never a
        // record built from half of one (a cut between records is a shorter, valid listing).
        let firstRecordLength = try Self.response().images[0].serializedData().count
        for cut in 1..<(firstRecordLength + 2) {
            #expect(throws: ImageListingWire.Malformed.self, "cut at \(cut)") { try Self.decode(data.prefix(cut)) }
        }
    }

    @Test func aGroupOrAFieldNumberZeroIsRefused() throws {
        #expect(throws: ImageListingWire.Malformed.self) { try Self.decode(Data([0x0B, 0x0C])) }  // field 1, start group
        #expect(throws: ImageListingWire.Malformed.self) { try Self.decode(Data([0x02, 0x00])) }  // field 0
        #expect(throws: ImageListingWire.Malformed.self) {
            try Self.decode(Data([0x78] + [UInt8](repeating: 0xFF, count: 11)))  // an 11-byte varint
        }
    }

    @Test func aRecordLengthBeyondAnyBufferIsRefusedNotTrapped() throws {
        // Field 1 (a record) whose length is a valid ten-byte varint over Int.max.
        let huge = Data([0x0A] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
        #expect(throws: ImageListingWire.Malformed.self) { try Self.decode(huge) }
        // One byte more than what follows: refused too.
        #expect(throws: ImageListingWire.Malformed.self) { try Self.decode(Data([0x0A, 0x03, 0x0A, 0x00])) }
    }
}
