import ProtobufWire

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
    public typealias Malformed = MalformedProtobuf

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
}
