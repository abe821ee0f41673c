import VigilConfig

/// `dogstatsd_mapper_profiles`, as the reference reads it: profiles of
/// mappings that turn dotted statsd names into a metric name and tags.
///
/// ```yaml
/// dogstatsd_mapper_profiles:
///   - name: airflow            # for messages
///     prefix: "airflow."       # only names starting with it; "*" for all
///     mappings:
///       - match: "airflow.job.duration_sec.*.*"  # `*`: one dotted part
///         name: "airflow.job.duration"
///         tags: {job_type: "$1", job_name: "$2"}
///       - match: 'airflow\.dag\.(.*)\.duration'
///         match_type: regex                       # default: wildcard
///         name: "airflow.dag.duration"
///         tags: {dag_id: "${1}"}
/// ```
struct MapperProfile: Sendable {
    struct Mapping: @unchecked Sendable {  // Regex is immutable once built
        var regex: Regex<AnyRegexOutput>
        var name: RegexTemplate
        /// Sorted by key, so the tags come out in a stable order.
        var tags: [(key: String, value: RegexTemplate)]
    }

    var name: String
    var prefix: String
    var mappings: [Mapping]

    /// The profiles under `key`, or a message saying what is wrong (the
    /// reference refuses the whole mapper on any invalid mapping).
    static func parse(_ node: ConfigNode, key: String) throws(MapperConfigError) -> [MapperProfile] {
        var node = node
        // From the environment the value is one string: JSON, as the reference takes it.
        if node.sequence == nil, let text = node.string {
            guard let parsed = try? YAMLLoader.load(text, file: key) else {
                throw MapperConfigError("\(key) must be a list of profiles (YAML or JSON)")
            }
            node = parsed
        }
        guard let list = node.sequence else { throw MapperConfigError("\(key) must be a list of profiles") }
        return try list.enumerated().map { (i, profile) throws(MapperConfigError) in
            guard let name = profile["name"]?.string, !name.isEmpty else {
                throw MapperConfigError("\(key)[\(i)]: name is required")
            }
            guard let prefix = profile["prefix"]?.string, !prefix.isEmpty else {
                throw MapperConfigError("\(key) profile \(name): prefix is required")
            }
            guard let mappings = profile["mappings"]?.sequence else {
                throw MapperConfigError("\(key) profile \(name): mappings must be a list")
            }
            return MapperProfile(name: name, prefix: prefix, mappings: try mappings.enumerated().map {
                (j, m) throws(MapperConfigError) in try mapping(m, where: "\(key) profile \(name), mapping \(j)")
            })
        }
    }

    private static func mapping(_ node: ConfigNode, where place: String) throws(MapperConfigError) -> Mapping {
        let matchType = node["match_type"]?.string ?? "wildcard"
        guard matchType == "wildcard" || matchType == "regex" else {
            throw MapperConfigError("\(place): match_type must be wildcard or regex")
        }
        guard let name = node["name"]?.string, !name.isEmpty else { throw MapperConfigError("\(place): name is required") }
        guard let match = node["match"]?.string, !match.isEmpty else { throw MapperConfigError("\(place): match is required") }
        var pattern = match
        if matchType == "wildcard" {
            // The reference's rule: letters, digits, `-`, `_`, `.`, `*`, and no `**`.
            let allowed = match.utf8.allSatisfy { b in
                (b >= 48 && b <= 57) || (b | 0x20 >= 97 && b | 0x20 <= 122)
                    || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: "*") || b == UInt8(ascii: ".")
            }
            guard allowed, !match.contains("**") else {
                throw MapperConfigError("\(place): invalid wildcard match \"\(match)\" (letters, digits, - _ . * only, no **)")
            }
            pattern = match.replacingAll(".", with: "\\.").replacingAll("*", with: "([^.]*)")
        }
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex("^" + pattern + "$")
        } catch {
            throw MapperConfigError("\(place): match \"\(match)\" is not a valid regular expression")
        }
        var tags: [(key: String, value: RegexTemplate)] = []
        if let tagNode = node["tags"] {
            guard let pairs = tagNode.mapping else { throw MapperConfigError("\(place): tags must be a mapping") }
            for (k, v) in pairs {
                guard let value = v.string else { throw MapperConfigError("\(place): tag \(k) must be a string") }
                tags.append((k, RegexTemplate(value)))
            }
        }
        tags.sort { $0.key < $1.key }
        return Mapping(regex: regex, name: RegexTemplate(name), tags: tags)
    }
}

struct MapperConfigError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
