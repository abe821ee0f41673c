import Foundation

/// Prometheus text exposition format 0.0.4: each family once, with
/// `# HELP` and `# TYPE`, its samples together (a summary's quantiles, then
/// `_sum` and `_count`), label values escaped, no timestamps (the scrape's
/// time is the sample's time).
enum PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func render(_ samples: [PrometheusSample]) -> String {
        var families: [String: (type: PrometheusSample.FamilyType, source: String, samples: [PrometheusSample])] = [:]
        for sample in samples {
            if let existing = families[sample.family] {
                // Two sources mapped to one name with different types: the
                // exposition can only carry one; the first type wins.
                guard existing.type == sample.type else { continue }
                families[sample.family]!.samples.append(sample)
            } else {
                families[sample.family] = (sample.type, sample.source, [sample])
            }
        }
        var out = ""
        for name in families.keys.sorted() {
            let family = families[name]!
            out += "# HELP \(name) \(escapeHelp(family.source)) (\(family.type.rawValue) from Vigil)\n"
            out += "# TYPE \(name) \(family.type.rawValue)\n"
            let lines = family.samples.map { sample in
                (order: order(sample, family: name), text: sample.name + labels(sample.labels) + " " + number(sample.value))
            }
            for line in lines.sorted(by: { ($0.order, $0.text) < ($1.order, $1.text) }) { out += line.text + "\n" }
        }
        return out
    }

    /// Quantiles first, then `_sum`, then `_count`, as the format shows them.
    private static func order(_ sample: PrometheusSample, family: String) -> Int {
        guard sample.type == .summary else { return 0 }
        if sample.name == family + "_sum" { return 1 }
        if sample.name == family + "_count" { return 2 }
        return 0
    }

    static func labels(_ labels: [(name: String, value: String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.name)=\"\(escape($0.value))\"" }.joined(separator: ",") + "}"
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    /// HELP text escapes only backslash and newline.
    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
