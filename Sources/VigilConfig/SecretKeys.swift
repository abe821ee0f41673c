/// Settings and instance keys whose values are credentials, recognised by
/// name the way the reference agent's scrubber recognises them. Their values
/// stay in the core: modules never read them from the agent scope, and what
/// Vigil prints or serves (configcheck, the status API) shows them redacted.
public enum SecretKeys {
    public static let redaction = "********"

    /// True for `api_key`, `app_key`, `*password*`, `*passwd*`, `pass`, `pwd`, `*token*`,
    /// `*secret*`, `*private_key*` and `*credential*`; for a dotted path, its last part decides.
    public static func isSecret(_ key: String) -> Bool {
        let last = key.split(separator: ".").last.map { $0.lowercased() } ?? ""
        if last == "pass" || last == "pwd" || last.hasSuffix("api_key") || last.hasSuffix("apikey")
            || last.hasSuffix("app_key") || last.hasSuffix("appkey") {
            return true
        }
        return ["password", "passwd", "token", "secret", "private_key", "credential"].contains { last.contains($0) }
    }

    /// `node` with the value of every secret key, at any depth, replaced by the redaction.
    public static func redacted(_ node: ConfigNode) -> ConfigNode {
        var out = node
        switch node.value {
        case let .mapping(pairs):
            out.value = .mapping(pairs.map { pair in
                (pair.key, isSecret(pair.key) ? ConfigNode(.scalar(redaction, plain: false), line: pair.value.line,
                                                           column: pair.value.column)
                                              : redacted(pair.value))
            })
        case let .sequence(items):
            out.value = .sequence(items.map(redacted))
        case .scalar:
            break
        }
        return out
    }
}
