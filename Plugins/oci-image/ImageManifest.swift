import Foundation

/// An image's manifest for this machine, found from the digest an image record targets:
/// an index (or a Docker manifest list) is followed to the manifest for linux on this
/// machine's architecture, else one with no platform, else its first. The one resolver the
/// containerd module (image facts) and the sbom scanner (layers and diff ids) share.
public struct ImageManifest: Sendable {
    public var manifestDigest: String
    /// The manifest's size as the index states it; nil when the target was the manifest.
    public var manifestSize: Int64?
    public var configDigest: String
    public var config: Data
    public var layers: [Layer]

    public struct Layer: Sendable, Equatable {
        public var digest: String
        public var size: Int64?
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// `read` returns a blob's bytes by digest (as `Data`, what the JSON decoder reads: the
    /// containerd module resolves tens of thousands of images and copies none of them).
    public static func resolve(target digest: String, read: (String) async throws -> Data) async throws -> ImageManifest {
        var manifestDigest = digest
        var manifestSize: Int64?
        var document = try JSONDecoder().decode(Document.self, from: try await read(digest))
        var depth = 0
        while let manifests = document.manifests, document.config == nil, depth < 3 {
            guard let chosen = manifests.first(where: { $0.platform?.os == "linux" && $0.platform?.architecture == hostArchitecture })
                ?? manifests.first(where: { $0.platform == nil }) ?? manifests.first else {
                throw Failure(description: "index \(manifestDigest) lists no manifest")
            }
            manifestDigest = chosen.digest
            manifestSize = chosen.size
            document = try JSONDecoder().decode(Document.self, from: try await read(chosen.digest))
            depth += 1
        }
        guard let config = document.config else { throw Failure(description: "\(manifestDigest) is not an image manifest") }
        return ImageManifest(manifestDigest: manifestDigest, manifestSize: manifestSize, configDigest: config.digest,
                             config: try await read(config.digest),
                             layers: (document.layers ?? []).map { Layer(digest: $0.digest, size: $0.size) })
    }

    /// OCI's and Docker's name for this machine's architecture.
    public static var hostArchitecture: String {
        #if arch(x86_64)
        "amd64"
        #elseif arch(arm64)
        "arm64"
        #else
        ""
        #endif
    }

    /// An index and a manifest read as one shape: an index has `manifests`, a manifest `config`.
    private struct Document: Decodable {
        var config: Descriptor?
        var layers: [Descriptor]?
        var manifests: [Descriptor]?
    }

    private struct Descriptor: Decodable {
        var digest: String
        var size: Int64?
        var platform: Platform?
    }

    private struct Platform: Decodable { var os: String?; var architecture: String? }
}
