import Foundation

enum URLText {
    /// The URL as status and logs may show it: user and password, if the
    /// URL carries them (`https://user:pass@host/…`), replaced.
    static func redactingCredentials(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.user != nil || parts.password != nil else { return url }
        parts.user = "redacted"
        parts.password = nil
        return parts.string ?? "<redacted>"
    }
}
