import VigilModel

/// A parsed YAML value with the position it came from. Vigil's own tree, so
/// that no other target needs to know the YAML library.
public struct ConfigNode: Sendable {
    public enum Value: Sendable {
        /// `plain` is false for quoted scalars, which are always strings.
        case scalar(String, plain: Bool)
        case sequence([ConfigNode])
        case mapping([(key: String, value: ConfigNode)])
    }

    public var value: Value
    public var line: Int
    public var column: Int

    public init(_ value: Value, line: Int = 0, column: Int = 0) {
        self.value = value
        self.line = line
        self.column = column
    }

    public static func string(_ s: String) -> ConfigNode { ConfigNode(.scalar(s, plain: false)) }

    public subscript(key: String) -> ConfigNode? {
        if case let .mapping(pairs) = value { return pairs.first { $0.key == key }?.value }
        return nil
    }

    /// Follows a dotted path ("options.timeout") through nested mappings.
    public func lookup(path: String) -> ConfigNode? {
        var node: ConfigNode? = self
        for part in path.split(separator: ".") { node = node?[String(part)] }
        return node
    }

    /// What a person would call this node's kind, for messages: "a list", "a mapping", "text \"x\"".
    public var kindName: String {
        switch value {
        case .sequence: "a list"
        case .mapping: "a mapping"
        case let .scalar(text, _): isNull ? "nothing" : "\"\(text)\""
        }
    }

    public var isNull: Bool {
        if case let .scalar(s, plain) = value, plain { return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL" }
        return false
    }

    public var mapping: [(key: String, value: ConfigNode)]? {
        if case let .mapping(pairs) = value { return pairs }
        return nil
    }

    public var sequence: [ConfigNode]? {
        if case let .sequence(items) = value { return items }
        return nil
    }

    public var scalarText: String? {
        if case let .scalar(s, _) = value { return s }
        return nil
    }

    public var string: String? { isNull ? nil : scalarText }

    public var int: Int? {
        guard let s = string else { return nil }
        if let i = Int(s) { return i }
        if let d = Double(s), d == d.rounded(), abs(d) < 9e18 { return Int(d) }
        return nil
    }

    public var double: Double? { string.flatMap { Double($0) } }

    public var bool: Bool? {
        switch string?.lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }

    /// A list of strings: a sequence of scalars, or one scalar split on
    /// commas and white space (the form environment variables take).
    public var strings: [String]? {
        if let items = sequence { return items.compactMap(\.scalarText) }
        if let s = string {
            return s.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
        }
        return nil
    }

    /// The value as JSON, typing plain scalars the way YAML's core schema does.
    public var json: JSONValue {
        switch value {
        case let .scalar(s, plain):
            guard plain else { return .string(s) }
            if isNull { return .null }
            if let i = Int64(s) { return .int(i) }
            if s == "true" || s == "True" || s == "TRUE" { return .bool(true) }
            if s == "false" || s == "False" || s == "FALSE" { return .bool(false) }
            if let d = Double(s), s.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true { return .double(d) }
            return .string(s)
        case let .sequence(items): return .array(items.map(\.json))
        case let .mapping(pairs): return .object(pairs.map { ($0.key, $0.value.json) })
        }
    }

    /// Text handed to modules: scalars as they are, lists and maps as JSON.
    public var renderedText: String {
        if case let .scalar(s, _) = value { return isNull ? "" : s }
        return json.serialized()
    }
}
