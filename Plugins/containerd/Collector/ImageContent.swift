import Foundation

/// What an image's manifest and config blobs say, resolved once per manifest digest.
struct ImageContent: Sendable, Equatable {
    var configDigest: String
    var layers: [String]
    var mediaType: String
    var os: String
    var architecture: String
    var variant: String
    var sizeBytes: Int64
    var createdAt: Int64

    static let indexTypes: Set<String> = [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ]

    struct Descriptor: Decodable {
        var mediaType: String?
        var digest: String
        var size: Int64?
        var platform: Platform?
    }

    struct Platform: Decodable {
        var os: String?
        var architecture: String?
        var variant: String?
    }

    struct Index: Decodable { var manifests: [Descriptor] }
    struct Manifest: Decodable { var config: Descriptor; var layers: [Descriptor] }
    struct Config: Decodable {
        var os: String?
        var architecture: String?
        var variant: String?
        var created: String?
    }

    /// Resolves a target descriptor. `read` fetches a blob by digest.
    /// For an index, the manifest for this machine's platform wins, else the first.
    static func resolve(mediaType: String, digest: String, size: Int64,
                        read: (String) async throws -> Data) async throws -> ImageContent {
        var manifestDigest = digest
        var manifestSize = size
        var total: Int64 = 0
        if indexTypes.contains(mediaType) {
            let index = try JSONDecoder().decode(Index.self, from: try await read(digest))
            total += size
            guard let chosen = index.manifests.first(where: { $0.platform?.os == "linux" && $0.platform?.architecture == hostArchitecture })
                ?? index.manifests.first else {
                throw ResolveError(description: "index \(digest) lists no manifest")
            }
            manifestDigest = chosen.digest
            manifestSize = chosen.size ?? 0
        }
        let manifest = try JSONDecoder().decode(Manifest.self, from: try await read(manifestDigest))
        let configData = try await read(manifest.config.digest)
        let config = try JSONDecoder().decode(Config.self, from: configData)
        total += manifestSize + Int64(configData.count) + manifest.layers.reduce(0) { $0 + ($1.size ?? 0) }
        return ImageContent(
            configDigest: manifest.config.digest, layers: manifest.layers.map(\.digest), mediaType: mediaType,
            os: config.os ?? "", architecture: config.architecture ?? "", variant: config.variant ?? "",
            sizeBytes: total, createdAt: config.created.flatMap(parseTimestamp) ?? 0)
    }

    struct ResolveError: Error, CustomStringConvertible { var description: String }

    static var hostArchitecture: String {
        #if arch(x86_64)
        "amd64"
        #elseif arch(arm64)
        "arm64"
        #else
        ""
        #endif
    }

    /// RFC 3339 with optional fractional seconds → unix nanoseconds.
    static func parseTimestamp(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1e9) }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1e9) }
        return nil
    }
}
