import VigilConfig

/// Check configurations carried by a container's labels:
/// `vigil.ad.check_names`, `vigil.ad.init_configs`, `vigil.ad.instances`
/// (JSON arrays of equal length), or Datadog's `com.datadoghq.ad.*` twins.
public enum ContainerCheckLabels {
    public static let prefixes = ["vigil.ad.", "com.datadoghq.ad."]

    /// The templates a container declares, or an error naming the label.
    public static func templates(labels: [String: String], containerID: String) throws(ConfigError) -> [CheckConfig] {
        for prefix in prefixes {
            guard let namesText = labels[prefix + "check_names"] else { continue }
            let source = "container \(containerID.prefix(12)) label \(prefix)"
            let names = try parseArray(namesText, label: source + "check_names")
            let inits = try labels[prefix + "init_configs"].map { text throws(ConfigError) in
                try parseArray(text, label: source + "init_configs")
            } ?? []
            let instances = try parseArray(labels[prefix + "instances"] ?? "[]", label: source + "instances")
            guard instances.count == names.count, inits.isEmpty || inits.count == names.count else {
                throw ConfigError(file: source + "instances", line: 1, column: 1,
                                  reason: "check_names, init_configs and instances must have the same length")
            }
            var configs: [CheckConfig] = []
            for (i, nameNode) in names.enumerated() {
                guard let name = nameNode.string else {
                    throw ConfigError(file: source + "check_names", at: nameNode, "check names must be strings")
                }
                let initConfig = inits.isEmpty ? ConfigNode(.mapping([])) : inits[i]
                let instance = try CheckConfig.parseInstance(instances[i], checkName: name, initConfig: initConfig,
                                                             file: source + "instances")
                configs.append(CheckConfig(checkName: name, sourceFile: source + "*", initConfig: initConfig,
                                           instances: [instance], adIdentifiers: ["label"]))
            }
            return configs
        }
        return []
    }

    static func parseArray(_ text: String, label: String) throws(ConfigError) -> [ConfigNode] {
        guard let node = try YAMLLoader.load(text, file: label), let items = node.sequence else {
            throw ConfigError(file: label, line: 1, column: 1, reason: "must be a JSON array")
        }
        return items
    }
}
