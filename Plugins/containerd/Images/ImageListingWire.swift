/// containerd's `ListImagesResponse` read straight from its protobuf encoding into
/// `ListedImage`s.
///
/// Decoded by swift-protobuf, a page of 90,000 references became 90,000 message objects with
/// their labels, annotations and timestamps (several times the page's 15 MiB) only to be
/// reduced to name and target at once. Here each record's name, target digest, media type
/// and size are taken as the bytes go by and everything else is skipped, so a page costs its
/// bytes and the records kept. A target's media type and digest are shared by every
/// reference to it, so each distinct value is stored once.
///
/// The messages read (containerd api/services/images/v1/images.proto, api/types/descriptor.proto):
///
///     ListImagesResponse { repeated Image images = 1; }
///     Image      { string name = 1; map<string,string> labels = 2; Descriptor target = 3;
///                  Timestamp created_at = 7; Timestamp updated_at = 8; }
///     Descriptor { string media_type = 1; string digest = 2; int64 size = 3;
///                  map<string,string> annotations = 5; }
///
/// Unknown fields are skipped by wire type, as protobuf requires of any reader.
public enum ImageListingWire {
    public struct Malformed: Error, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "malformed image listing at byte \(offset): \(reason)" }
    }

    /// The records of one response and its size in bytes (what pages are planned from).
    public static func decode(_ bytes: UnsafeRawBufferPointer, namespace: String) throws -> (records: [ListedImage], bytes: Int) {
        var reader = WireReader(bytes)
        var strings = SharedStrings()
        var records: [ListedImage] = []
        while !reader.atEnd {
            let (field, wireType) = try reader.tag()
            if field == 1, wireType == .lengthDelimited {
                var image = try reader.message()
                records.append(try readImage(&image, namespace: namespace, strings: &strings))
            } else {
                try reader.skip(wireType)
            }
        }
        return (records, bytes.count)
    }

    static func readImage(_ reader: inout WireReader, namespace: String, strings: inout SharedStrings) throws -> ListedImage {
        var name = ""
        var target = ListedImage.Target(digest: "", mediaType: "", size: 0)
        while !reader.atEnd {
            let (field, wireType) = try reader.tag()
            switch (field, wireType) {
            case (1, .lengthDelimited): name = try reader.string()
            case (3, .lengthDelimited):
                var descriptor = try reader.message()
                target = try readDescriptor(&descriptor, strings: &strings)
            default: try reader.skip(wireType)
            }
        }
        return ListedImage(namespace: namespace, name: name, target: target)
    }

    static func readDescriptor(_ reader: inout WireReader, strings: inout SharedStrings) throws -> ListedImage.Target {
        var target = ListedImage.Target(digest: "", mediaType: "", size: 0)
        while !reader.atEnd {
            let (field, wireType) = try reader.tag()
            switch (field, wireType) {
            case (1, .lengthDelimited): target.mediaType = strings.string(try reader.bytes())
            case (2, .lengthDelimited): target.digest = strings.string(try reader.bytes())
            case (3, .varint): target.size = Int64(bitPattern: try reader.varint())
            default: try reader.skip(wireType)
            }
        }
        return target
    }

    /// One copy of each distinct value: digests repeat once per reference to an image, media
    /// types across the whole listing.
    struct SharedStrings {
        private var seen: Set<String> = []

        mutating func string(_ bytes: UnsafeRawBufferPointer) -> String {
            // insert answers with the copy already kept, if any: one lookup either way.
            seen.insert(String(decoding: bytes, as: UTF8.self)).memberAfterInsert
        }
    }

    enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    /// A cursor over one message's bytes.
    struct WireReader {
        let base: UnsafeRawBufferPointer
        var offset: Int
        let end: Int

        init(_ bytes: UnsafeRawBufferPointer) {
            base = bytes
            offset = 0
            end = bytes.count
        }

        private init(base: UnsafeRawBufferPointer, offset: Int, end: Int) {
            self.base = base
            self.offset = offset
            self.end = end
        }

        var atEnd: Bool { offset >= end }

        func malformed(_ reason: String) -> Malformed { Malformed(offset: offset, reason: reason) }

        mutating func varint() throws -> UInt64 {
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

        mutating func tag() throws -> (field: UInt64, wireType: WireType) {
            let key = try varint()
            guard let wireType = WireType(rawValue: key & 7) else { throw malformed("wire type \(key & 7)") }
            guard key >> 3 != 0 else { throw malformed("field number 0") }
            return (key >> 3, wireType)
        }

        mutating func bytes() throws -> UnsafeRawBufferPointer {
            let length = try varint()
            guard length <= UInt64(end - offset) else { throw malformed("a length of \(length) runs past the end") }
            let slice = UnsafeRawBufferPointer(rebasing: base[offset..<offset + Int(length)])
            offset += Int(length)
            return slice
        }

        mutating func string() throws -> String { String(decoding: try bytes(), as: UTF8.self) }

        /// The embedded message at the cursor, as a reader of its own.
        mutating func message() throws -> WireReader {
            let start = offset
            let length = Int(try varint())
            let from = offset
            guard length <= end - from else {
                offset = start
                throw malformed("a message of \(length) bytes runs past the end")
            }
            offset = from + length
            return WireReader(base: base, offset: from, end: from + length)
        }

        mutating func skip(_ wireType: WireType) throws {
            switch wireType {
            case .varint: _ = try varint()
            case .fixed64: try advance(8)
            case .fixed32: try advance(4)
            case .lengthDelimited: _ = try bytes()
            // Groups are proto2-only and absent from containerd's API; a reader meeting one
            // cannot know its extent without parsing it, so the response is refused.
            case .startGroup, .endGroup: throw malformed("a group (not in containerd's API)")
            }
        }

        private mutating func advance(_ count: Int) throws {
            guard count <= end - offset else { throw malformed("a fixed field runs past the end") }
            offset += count
        }
    }
}
