/// A container image. Its id is the config digest ("sha256:…"); every reference to it
/// (tags and `name@sha256:` digests) is carried by this one entity.
public struct Image: Sendable, Hashable, Codable {
    public var id: String
    /// The preferred human name, usually the first repo tag.
    public var name: String
    public var repoTags: [String]
    public var repoDigests: [String]
    /// Layer digests, base first.
    public var layers: [String]
    public var mediaType: String
    public var os: String
    public var architecture: String
    public var variant: String
    public var sizeBytes: Int64
    /// Unix nanoseconds, 0 when unknown.
    public var createdAt: Int64
    /// Its bill of materials as the sbom module reports it (ABI 1.4); empty status when unknown.
    public var sbom: SBOMState

    public init(id: String, name: String = "", repoTags: [String] = [], repoDigests: [String] = [],
                layers: [String] = [], mediaType: String = "", os: String = "", architecture: String = "",
                variant: String = "", sizeBytes: Int64 = 0, createdAt: Int64 = 0, sbom: SBOMState = SBOMState()) {
        self.id = id
        self.name = name
        self.repoTags = repoTags
        self.repoDigests = repoDigests
        self.layers = layers
        self.mediaType = mediaType
        self.os = os
        self.architecture = architecture
        self.variant = variant
        self.sizeBytes = sizeBytes
        self.createdAt = createdAt
        self.sbom = sbom
    }
}

/// An image's scan status: "" (unknown), "pending", "scanning", "success" or "failed".
public struct SBOMState: Sendable, Hashable, Codable {
    public var status: String
    /// Why the last scan failed, kept while a retry waits.
    public var error: String
    /// Unix nanoseconds of the last successful scan.
    public var generatedAt: Int64
    public var durationMilliseconds: Int64
    public var packageCount: Int64
    /// While a failed scan waits: unix nanoseconds of the next attempt.
    public var retryAt: Int64

    public init(status: String = "", error: String = "", generatedAt: Int64 = 0, durationMilliseconds: Int64 = 0,
                packageCount: Int64 = 0, retryAt: Int64 = 0) {
        self.status = status
        self.error = error
        self.generatedAt = generatedAt
        self.durationMilliseconds = durationMilliseconds
        self.packageCount = packageCount
        self.retryAt = retryAt
    }
}
