import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// An OCI image layout packed in a tar file (`oci-archive:`, what `umoci` and `skopeo copy
/// oci-archive:` write, and `ctr export` too). Members are found by walking the tar headers
/// once; blobs are then read in place, so the archive is never unpacked.
public final class OCIArchive: LayerBlobSource, @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible { public var description: String }

    public let path: String
    private let fd: Int32
    /// Member path → (content offset, size).
    private var members: [String: (Int, Int)] = [:]

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        var offset = 0
        var longName: String?
        while let header = FileBytes.pread(fd, offset: offset, count: 512) {
            if header.allSatisfy({ $0 == 0 }) { break }
            guard let size = TarStream.number(header[124..<136]) else {
                throw Failure(description: "\(path) is not a tar archive (bad header at byte \(offset))")
            }
            var name = longName ?? String(decoding: header[0..<100].prefix { $0 != 0 }, as: UTF8.self)
            longName = nil
            let type = header[156]
            if type == UInt8(ascii: "L") {
                longName = FileBytes.pread(fd, offset: offset + 512, count: size)
                    .map { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            } else if type == UInt8(ascii: "x") {
                if let records = FileBytes.pread(fd, offset: offset + 512, count: size) {
                    longName = TarStream.paxRecords(records).first { $0.0 == "path" }?.1
                }
            } else {
                while name.hasPrefix("./") { name.removeFirst(2) }
                members[name] = (offset + 512, size)
            }
            offset += 512 + (size + 511) / 512 * 512
        }
        guard members["index.json"] != nil else {
            throw Failure(description: "\(path) holds no index.json: not an OCI image archive")
        }
    }

    deinit { close(fd) }

    public func member(_ name: String) throws -> [UInt8] {
        guard let (offset, size) = members[name] else { throw Failure(description: "\(path) has no \(name)") }
        guard let bytes = FileBytes.pread(fd, offset: offset, count: size) else {
            throw Failure(description: "\(path): cannot read \(name)")
        }
        return bytes
    }

    public func blob(_ digest: String) throws -> [UInt8] { try member(Self.blobPath(digest)) }

    public func stream(blob digest: String, _ consume: (UnsafeRawBufferPointer) throws -> Void) async throws {
        guard let (start, size) = members[Self.blobPath(digest)] else { throw Failure(description: "\(path) has no blob \(digest)") }
        var chunk = [UInt8](repeating: 0, count: 1 << 17)
        var offset = 0
        while offset < size {
            let want = min(chunk.count, size - offset)
            let read = chunk.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress, want, off_t(start + offset)) }
            guard read > 0 else { throw Failure(description: "\(path): short read in \(digest)") }
            try chunk.withUnsafeBytes { try consume(UnsafeRawBufferPointer(rebasing: $0[0..<read])) }
            offset += read
        }
    }

    /// The image the archive's index names (the first manifest), resolved for this platform.
    public func layout() async throws -> (OCIImageLayout, [String]) {
        let index = try member("index.json")
        struct Index: Decodable {
            var manifests: [Entry]
            struct Entry: Decodable { var digest: String; var annotations: [String: String]? }
        }
        let parsed = try JSONDecoder().decode(Index.self, from: Data(index))
        guard let first = parsed.manifests.first else { throw Failure(description: "\(path): index.json lists no image") }
        let names = parsed.manifests.compactMap { $0.annotations?["org.opencontainers.image.ref.name"] }
        let layout = try await OCIImageLayout.resolve(top: first.digest) { try self.blob($0) }
        return (layout, names)
    }

    static func blobPath(_ digest: String) -> String { "blobs/" + digest.replacingColon() }
}

private extension String {
    /// "sha256:abc" → "sha256/abc", the blob's path in an OCI layout.
    func replacingColon() -> String { split(separator: ":", maxSplits: 1).joined(separator: "/") }
}

