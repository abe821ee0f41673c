import VigilModel

/// Renders a status document for people: nested sections indented, lists
/// of plain values on one line, lists of objects as `-` items, and times,
/// durations, sizes and numbers as HumanFormat writes them.
public enum StatusText {
    public static func render(_ value: JSONValue, format: HumanFormat) -> String {
        var out = ""
        write(value, indent: 0, format: format, to: &out)
        return out
    }

    private static func write(_ value: JSONValue, indent: Int, format: HumanFormat, to out: inout String) {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case let .object(fields):
            for (key, field) in fields {
                if isScalar(field) || isFlatList(field) {
                    out += "\(pad)\(key): \(format.field(key, field) ?? scalar(field))\n"
                } else {
                    out += "\(pad)\(key):\n"
                    write(field, indent: indent + 1, format: format, to: &out)
                }
            }
        case let .array(items):
            for item in items {
                if case let .object(fields) = item, !fields.isEmpty {
                    var nested = ""
                    write(item, indent: indent + 1, format: format, to: &nested)
                    out += pad + "- " + nested.dropFirst(pad.count + 2)
                } else {
                    out += "\(pad)- \(scalar(item))\n"
                }
            }
        default:
            out += pad + scalar(value) + "\n"
        }
    }

    private static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: false
        default: true
        }
    }

    private static func isFlatList(_ value: JSONValue) -> Bool {
        switch value {
        case let .array(items): items.allSatisfy(isScalar)
        case let .object(fields): fields.isEmpty
        default: false
        }
    }

    private static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: "-"
        case let .string(s): s
        case let .array(items): items.isEmpty ? "(none)" : items.map(scalar).joined(separator: ", ")
        case let .object(fields) where fields.isEmpty: "(none)"
        default: value.serialized()
        }
    }
}
