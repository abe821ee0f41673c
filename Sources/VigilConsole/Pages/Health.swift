import VigilModel

/// What on the overview deserves a look: every `last_error` that is set,
/// every refused module, every configuration error, and every counter of
/// lost data (`dropped…`, `…errors`) above zero, wherever in the status
/// document it sits — new sections are covered without touching this file.
enum Health {
    struct Problem: Equatable {
        var place: String
        var what: String
    }

    static func problems(in status: JSONValue) -> [Problem] {
        var out: [Problem] = []
        if case let .array(errors)? = status["configuration_errors"] {
            for case let .string(error) in errors { out.append(Problem(place: "configuration", what: error)) }
        }
        if case let .array(modules)? = status["modules"] {
            for module in modules {
                if case let .string(reason)? = module["error"] ?? module["refused"] ?? module["reason"], !reason.isEmpty {
                    out.append(Problem(place: "module \(name(module))", what: reason))
                }
            }
        }
        walk(status, path: [], into: &out)
        return out
    }

    private static func name(_ value: JSONValue) -> String {
        if case let .string(s)? = value["name"] ?? value["path"] { return s }
        return "?"
    }

    private static func walk(_ value: JSONValue, path: [String], into out: inout [Problem]) {
        switch value {
        case let .object(fields):
            for (key, field) in fields {
                let here = path + [key]
                if key == "last_error", case let .string(message) = field, !message.isEmpty {
                    out.append(Problem(place: path.joined(separator: " › "), what: message))
                } else if isLossCounter(key), let n = number(field), n > 0 {
                    out.append(Problem(place: path.joined(separator: " › "), what: "\(key) = \(formatted(n))"))
                } else {
                    walk(field, path: here, into: &out)
                }
            }
        case let .array(items):
            for item in items {
                var label = path
                if case let .string(s)? = item["instance"] ?? item["name"] ?? item["id"] { label.append(s) }
                walk(item, path: label, into: &out)
            }
        default:
            break
        }
    }

    static func isLossCounter(_ key: String) -> Bool {
        key.hasPrefix("dropped") || key.hasSuffix("_errors") || key == "errors" || key == "write_failures"
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case let .int(i): Double(i)
        case let .double(d): d
        default: nil
        }
    }

    private static func formatted(_ n: Double) -> String { n == n.rounded() ? String(Int64(n)) : String(n) }
}
