/// The parts of an image reference such as "docker.io/library/redis:7" or "ghcr.io/a/b@sha256:…".
struct ImageReference: Equatable {
    /// Everything before the tag or digest: "docker.io/library/redis".
    var name: String
    var tag: String?
    var digest: String?

    /// The last path component of the name: "redis".
    var shortName: String { String(name.split(separator: "/").last ?? Substring(name)) }

    init(_ reference: String) {
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
