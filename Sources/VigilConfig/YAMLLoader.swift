import Yams

/// Turns YAML text into a `ConfigNode`, reporting errors at their position.
public enum YAMLLoader {
    public static func load(_ text: String, file: String) throws(ConfigError) -> ConfigNode? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw describe(error, file: file)
        } catch {
            throw ConfigError(file: file, line: 1, column: 1, reason: "\(error)")
        }
        return node.map(convert)
    }

    static func convert(_ node: Node) -> ConfigNode {
        let line = node.mark?.line ?? 0
        let column = node.mark?.column ?? 0
        switch node {
        case let .scalar(scalar):
            return ConfigNode(.scalar(scalar.string, plain: scalar.style == .plain || scalar.style == .any),
                              line: line, column: column)
        case let .sequence(seq):
            return ConfigNode(.sequence(seq.map(convert)), line: line, column: column)
        case let .mapping(map):
            let pairs = map.map { (key: $0.key.string ?? "", value: convert($0.value)) }
            return ConfigNode(.mapping(pairs), line: line, column: column)
        case .alias:
            // Yams resolves anchors while composing; a bare alias is unusual.
            return ConfigNode(.scalar("", plain: true), line: line, column: column)
        }
    }

    static func describe(_ error: YamlError, file: String) -> ConfigError {
        func context(_ c: YamlError.Context?, _ problem: String) -> String {
            guard let c else { return problem }
            return "\(problem) (\(c.text) at \(c.mark.line):\(c.mark.column))"
        }
        switch error {
        case let .scanner(c, problem, mark, _), let .parser(c, problem, mark, _), let .composer(c, problem, mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column, reason: context(c, problem))
        case let .duplicatedKeysInMapping(duplicates, c):
            return ConfigError(file: file, line: c.mark.line, column: c.mark.column,
                               reason: "duplicated keys: \(duplicates.joined(separator: ", "))")
        case let .reader(problem, offset, _, _):
            return ConfigError(file: file, line: 1, column: 1, reason: "\(problem) at byte \(offset ?? 0)")
        default:
            return ConfigError(file: file, line: 1, column: 1, reason: "\(error)")
        }
    }
}
