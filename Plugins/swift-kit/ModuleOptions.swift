import FoundationEssentials

/// Reads a module's options the way the host renders them (scalars as text,
/// lists and maps as JSON) into the values the module wants, with errors
/// that name the key and say what was expected.
public struct ModuleOptions {
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    private let lookup: (String) -> String?

    /// `lookup` answers a key or nil; usually `host.configValue`.
    public init(_ lookup: @escaping (String) -> String?) { self.lookup = lookup }

    /// The value as text; nil when unset or empty.
    public func string(_ key: String) -> String? {
        guard let text = lookup(key), !text.isEmpty else { return nil }
        return text
    }

    /// A list given as a YAML list, or a comma/space separated scalar.
    public func stringList(_ key: String) throws -> [String]? {
        guard let text = string(key) else { return nil }
        if text.hasPrefix("[") {
            guard let list = try? JSONDecoder().decode([JSONScalar].self, from: Data(text.utf8)) else {
                throw Invalid("\(key) must be a list of strings, got \(text)")
            }
            return list.map(\.text).filter { !$0.isEmpty }
        }
        return text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
    }

    /// A map given as a YAML map, or "key:value" items separated by commas or spaces.
    public func stringMap(_ key: String) throws -> [String: String]? {
        guard let text = string(key) else { return nil }
        if text.hasPrefix("{") {
            guard let map = try? JSONDecoder().decode([String: JSONScalar].self, from: Data(text.utf8)) else {
                throw Invalid("\(key) must be a map of names to strings, got \(text)")
            }
            return map.mapValues(\.text)
        }
        var map: [String: String] = [:]
        for item in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            let parts = item.split(separator: ":", maxSplits: 1)
            map[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return map
    }

    /// A number of seconds of at least `minimum`, as a Duration.
    public func seconds(_ key: String, minimum: Double) throws -> Duration? {
        guard let text = string(key) else { return nil }
        guard let seconds = Double(text), seconds.isFinite, seconds >= minimum else {
            throw Invalid("\(key) must be a number of seconds >= \(minimum == minimum.rounded() ? String(Int(minimum)) : String(minimum)), got \"\(text)\"")
        }
        return .milliseconds(Int64(seconds * 1000))
    }

    /// A whole number of at least `minimum`.
    public func integer(_ key: String, minimum: Int) throws -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text), value >= minimum else {
            throw Invalid("\(key) must be a whole number >= \(minimum), got \"\(text)\"")
        }
        return value
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let text = string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw Invalid("\(key) must be true or false, got \"\(text)\"")
        }
    }
}

/// A list or map item as YAML renders it: a string, a number or a boolean, read as text.
private struct JSONScalar: Decodable {
    var text: String

    init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer()
        if let string = try? value.decode(String.self) { text = string }
        else if let number = try? value.decode(Double.self) {
            text = number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        } else if let flag = try? value.decode(Bool.self) { text = String(flag) }
        else { text = "" }
    }
}
