/// The session cookie. HttpOnly: page script cannot read it. SameSite=Strict:
/// no other site's page can make the browser send it. Path=/console: the
/// status API's JSON routes never see it (they want the token). Secure when
/// the status server speaks TLS (`cmd_tls_cert_file`); on plain HTTP over
/// loopback a Secure cookie would never be sent back.
public enum SessionCookie {
    public static let name = "vigil_console"
    static let path = "/console"

    public static func set(_ session: Sessions.Session, now: Double, secure: Bool = false) -> String {
        let age = max(0, Int(session.expires - now))
        return "\(name)=\(session.id); Path=\(path); HttpOnly; SameSite=Strict; Max-Age=\(age)" + (secure ? "; Secure" : "")
    }

    public static let cleared = "\(name)=; Path=\(path); HttpOnly; SameSite=Strict; Max-Age=0"

    /// The session id from a `Cookie:` header (`a=1; vigil_console=…`).
    public static func read(_ header: String?) -> String? {
        guard let header else { return nil }
        for pair in header.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingSpaces == name else { continue }
            let value = parts[1].trimmingSpaces
            return value.isEmpty ? nil : value
        }
        return nil
    }
}

extension Substring {
    var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}
