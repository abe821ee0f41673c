import VigilModel

/// Prometheus text exposition format (version 0.0.4). Datadog names and
/// tags are mapped to what Prometheus allows: `.` and other characters
/// become `_`; `key:value` tags become labels, bare tags become
/// `tag="true"`, repeated keys join their values with `,`; the host is the
/// `host` label unless a tag already sets it. Everything is a gauge: a
/// flushed count is the amount for one interval, not a running total.
enum PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func render(_ values: [LatestValues.Key: LatestValues.Entry]) -> String {
        var byName: [String: [(labels: String, value: Double)]] = [:]
        for (key, entry) in values {
            byName[metricName(key.name), default: []].append((labels(key), entry.value))
        }
        var out = ""
        for name in byName.keys.sorted() {
            out += "# TYPE \(name) gauge\n"
            for sample in byName[name]!.sorted(by: { $0.labels < $1.labels }) {
                out += name + sample.labels + " " + number(sample.value) + "\n"
            }
        }
        return out
    }

    static func metricName(_ name: String) -> String {
        var out = ""
        for (index, scalar) in name.unicodeScalars.enumerated() {
            let ok = scalar.isASCII && (scalar.properties.isAlphabetic || scalar == "_" || scalar == ":"
                || (index > 0 && ("0"..."9").contains(scalar)))
            out.unicodeScalars.append(ok ? scalar : "_")
        }
        return out.isEmpty ? "_" : out
    }

    static func labelName(_ name: String) -> String {
        var out = ""
        for (index, scalar) in name.unicodeScalars.enumerated() {
            let ok = scalar.isASCII && (scalar.properties.isAlphabetic || scalar == "_"
                || (index > 0 && ("0"..."9").contains(scalar)))
            out.unicodeScalars.append(ok ? scalar : "_")
        }
        // Names starting with __ are reserved for Prometheus itself.
        while out.hasPrefix("__") { out.removeFirst() }
        return out.isEmpty ? "_" : out
    }

    static func labels(_ key: LatestValues.Key) -> String {
        var pairs: [(String, String)] = []
        func add(_ name: String, _ value: String) {
            if let index = pairs.firstIndex(where: { $0.0 == name }) {
                pairs[index].1 += "," + value
            } else {
                pairs.append((name, value))
            }
        }
        for tag in key.tags {
            if let colon = tag.firstIndex(of: ":") {
                add(labelName(String(tag[..<colon])), String(tag[tag.index(after: colon)...]))
            } else {
                add(labelName(tag), "true")
            }
        }
        if !key.host.isEmpty, !pairs.contains(where: { $0.0 == "host" }) { add("host", key.host) }
        guard !pairs.isEmpty else { return "" }
        return "{" + pairs.sorted { $0.0 < $1.0 }.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
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

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
