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

    /// One mapping from its settings, checked as the reference checks them.
    static func mapping(match: String?, matchType: String?, name: String?, tags: [(String, String)],
                        where place: String) throws(MapperConfigError) -> Mapping {
        let matchType = matchType ?? "wildcard"
        guard matchType == "wildcard" || matchType == "regex" else {
            throw MapperConfigError("\(place): match_type must be wildcard or regex")
        }
        guard let name, !name.isEmpty else { throw MapperConfigError("\(place): name is required") }
        guard let match, !match.isEmpty else { throw MapperConfigError("\(place): match is required") }
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
        let templates = tags.map { (key: $0.0, value: RegexTemplate($0.1)) }.sorted { $0.key < $1.key }
        return Mapping(regex: regex, name: RegexTemplate(name), tags: templates)
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
