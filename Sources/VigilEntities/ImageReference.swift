/// The parts of an image reference such as "docker.io/library/redis:7" or "ghcr.io/a/b@sha256:…".
/// The one parser of references: the tagger, autodiscovery and the containerd module all use it.
public struct ImageReference: Equatable, Sendable {
    /// Everything before the tag or digest: "docker.io/library/redis".
    public var name: String
    public var tag: String?
    public var digest: String?

    /// The last path component of the name: "redis".
    public var shortName: String { String(name.split(separator: "/").last ?? Substring(name)) }

    /// The name with its tag but without its digest: "docker.io/library/redis:7".
    public var nameAndTag: String { tag.map { "\(name):\($0)" } ?? name }

    public init(_ reference: String) {
        var rest = Substring(reference)
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        // A colon after the last slash is a tag; before it, a registry port.
        let lastSlash = rest.lastIndex(of: "/") ?? rest.startIndex
        if let colon = rest[lastSlash...].lastIndex(of: ":") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        name = String(rest)
    }
}
