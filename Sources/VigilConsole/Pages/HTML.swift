import VigilModel
import VigilStatus

/// Text made safe for HTML bodies and attribute values. Every value that
/// reaches a page goes through here: container names, labels and metric
/// names come from workloads the agent does not control.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A query string's value, percent-encoded (then escaped where it lands in an attribute).
    static func queryValue(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// A status value on one line, as `vigil status` writes it (sizes, ages, durations).
    static func value(_ key: String, _ value: JSONValue, format: HumanFormat) -> String {
        if let formatted = format.field(key, value) { return escape(formatted) }
        switch value {
        case .null: return "–"
        case let .string(s): return s.isEmpty ? "–" : escape(s)
        case let .array(items):
            return items.isEmpty ? "–" : items.map { self.value(key, $0, format: format) }.joined(separator: ", ")
        case let .object(fields):
            return fields.isEmpty ? "–" : fields.map { escape($0.0) + "=" + self.value($0.0, $0.1, format: format) }
                .joined(separator: ", ")
        default: return escape(value.serialized())
        }
    }

    /// Any status section as HTML: objects as definition lists, lists of
    /// objects as tables (one column per key seen), plain values inline.
    static func section(_ json: JSONValue, format: HumanFormat, key: String = "") -> String {
        switch json {
        case let .object(fields) where !fields.isEmpty:
            var out = "<dl>"
            for (k, v) in fields {
                out += "<dt>" + escape(k) + "</dt><dd>" + section(v, format: format, key: k) + "</dd>"
            }
            return out + "</dl>"
        case let .array(items) where items.contains(where: { if case .object = $0 { true } else { false } }):
            return table(items, format: format)
        default:
            return value(key, json, format: format)
        }
    }

    static func table(_ rows: [JSONValue], format: HumanFormat) -> String {
        var columns: [String] = []
        for row in rows {
            guard case let .object(fields) = row else { continue }
            for (k, _) in fields where !columns.contains(k) { columns.append(k) }
        }
        var out = "<table><thead><tr>" + columns.map { "<th>" + escape($0) + "</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>" + columns.map { c in
                let cell = row[c].map { v -> String in
                    if case .object = v { return section(v, format: format, key: c) }
                    return value(c, v, format: format)
                } ?? "–"
                return "<td>" + cell + "</td>"
            }.joined() + "</tr>"
        }
        return out + "</tbody></table>"
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
