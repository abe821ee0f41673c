import VigilConfig

/// Substitutes `%%name%%` template variables in every string of a check
/// instance, the way Datadog autodiscovery templates use them.
public enum TemplateVariables {
    public struct UnknownVariable: Error, CustomStringConvertible, Equatable {
        public var name: String
        public init(name: String) { self.name = name }
        public var description: String { "template variable %%\(name)%% cannot be resolved" }
    }

    /// `lookup` answers a variable's value (e.g. "host", "port", "env_REDIS_PASSWORD"), or nil.
    public static func resolve(_ node: ConfigNode, _ lookup: (String) -> String?) throws(UnknownVariable) -> ConfigNode {
        var out = node
        switch node.value {
        case let .scalar(text, plain):
            guard text.contains("%%") else { return node }
            let resolved = try resolve(text, lookup)
            // A value that is exactly one variable takes the resolved value's
            // own type, so `port: "%%port%%"` becomes a number.
            let whole = text.hasPrefix("%%") && text.hasSuffix("%%") && text.dropFirst(2).dropLast(2).firstIndex(of: "%") == nil
            out.value = .scalar(resolved, plain: plain || whole)
        case let .sequence(items):
            var resolved: [ConfigNode] = []
            for item in items { resolved.append(try resolve(item, lookup)) }
            out.value = .sequence(resolved)
        case let .mapping(pairs):
            var resolved: [(key: String, value: ConfigNode)] = []
            for pair in pairs { resolved.append((pair.key, try resolve(pair.value, lookup))) }
            out.value = .mapping(resolved)
        }
        return out
    }

    public static func resolve(_ text: String, _ lookup: (String) -> String?) throws(UnknownVariable) -> String {
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "%%") {
            result += rest[..<start.lowerBound]
            let afterStart = rest[start.upperBound...]
            guard let end = afterStart.range(of: "%%") else {
                result += rest[start.lowerBound...]
                return result
            }
            let name = String(afterStart[..<end.lowerBound])
            guard let value = lookup(name) else { throw UnknownVariable(name: name) }
            result += value
            rest = afterStart[end.upperBound...]
        }
        result += rest
        return result
    }
}
