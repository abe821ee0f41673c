import VigilConfig

/// Which container labels and environment variables become tags, and under which names.
public struct TagRules: Sendable, Equatable {
    /// label name → tag name
    public var labelsAsTags: [String: String]
    /// environment variable name → tag name
    public var envAsTags: [String: String]

    public init(labelsAsTags: [String: String] = [:], envAsTags: [String: String] = [:]) {
        self.labelsAsTags = labelsAsTags
        self.envAsTags = envAsTags
    }

    /// Reads `container_labels_as_tags` and `container_env_as_tags`: YAML mappings
    /// (`com.example.team: team`), or in an environment override "name:tag name2:tag2".
    public init(config: AgentConfig) {
        self.init(labelsAsTags: TagRules.mapping(config, "container_labels_as_tags"),
                  envAsTags: TagRules.mapping(config, "container_env_as_tags"))
    }

    private static func mapping(_ config: AgentConfig, _ key: String) -> [String: String] {
        guard let node = config.value(key) else { return [:] }
        if let pairs = node.mapping {
            var result: [String: String] = [:]
            for (name, value) in pairs { if let tag = value.string, !tag.isEmpty { result[name] = tag } }
            return result
        }
        guard let text = node.string else { return [:] }
        var result: [String: String] = [:]
        for pair in text.split(whereSeparator: { $0 == " " || $0 == "," }) {
            guard let colon = pair.lastIndex(of: ":") else { continue }
            let name = String(pair[..<colon]), tag = String(pair[pair.index(after: colon)...])
            if !name.isEmpty && !tag.isEmpty { result[name] = tag }
        }
        return result
    }
}
