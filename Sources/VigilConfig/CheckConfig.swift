import VigilModel

/// One instance of a check, as written under `instances:`.
public struct InstanceConfig: Sendable {
    public var node: ConfigNode
    /// Seconds between runs.
    public var minCollectionInterval: Double
    /// The instance's `tags`, plus `service:<service>` when set.
    public var tags: [String]
    public var service: String?
    /// Stable identity: check name plus a hash of instance and init_config.
    public var id: String

    /// The instance as YAML text for the module (JSON is valid YAML).
    public var yamlText: String { node.json.serialized() }
}

/// A file in conf.d: one check's init_config and instances, or an
/// autodiscovery template when it carries `ad_identifiers`.
public struct CheckConfig: Sendable {
    public var checkName: String
    public var sourceFile: String
    public var initConfig: ConfigNode
    public var instances: [InstanceConfig]
    /// Non-empty for autodiscovery templates.
    public var adIdentifiers: [String]

    public init(checkName: String, sourceFile: String, initConfig: ConfigNode, instances: [InstanceConfig],
                adIdentifiers: [String]) {
        self.checkName = checkName
        self.sourceFile = sourceFile
        self.initConfig = initConfig
        self.instances = instances
        self.adIdentifiers = adIdentifiers
    }

    public var isTemplate: Bool { !adIdentifiers.isEmpty }
    public var initConfigYAML: String { initConfig.isNull ? "{}" : initConfig.json.serialized() }

    public static let defaultInterval: Double = 15

    /// Validates one parsed file; the first problem is thrown (see `parseReportingAll`).
    public static func parse(_ root: ConfigNode?, checkName: String, file: String) throws(ConfigError) -> CheckConfig {
        let (config, errors) = parseReportingAll(root, checkName: checkName, file: file)
        if let first = errors.first { throw first }
        return config!
    }

    /// Validates one parsed file and reports every problem in it at once. A bad
    /// instance is left out and the others kept; a problem with the file's shape
    /// (init_config, ad_identifiers, instances) leaves no configuration.
    public static func parseReportingAll(_ root: ConfigNode?, checkName: String,
                                         file: String) -> (config: CheckConfig?, errors: [ConfigError]) {
        guard let root, let top = root.mapping else {
            return (nil, [ConfigError(file: file, at: root, "a check configuration must be a mapping with init_config and instances")])
        }
        var errors: [ConfigError] = []
        let initConfig = top.first { $0.key == "init_config" }?.value ?? ConfigNode(.scalar("", plain: true))
        if !initConfig.isNull, initConfig.mapping == nil {
            errors.append(ConfigError(file: file, at: initConfig, "init_config must be a mapping, found \(initConfig.kindName)"))
        }
        var adIdentifiers: [String] = []
        if let ad = root["ad_identifiers"] {
            if let items = ad.sequence, items.allSatisfy({ $0.scalarText != nil }) {
                adIdentifiers = items.compactMap(\.scalarText)
            } else {
                errors.append(ConfigError(file: file, at: ad, "ad_identifiers must be a list of strings, found \(ad.kindName)"))
            }
        }
        guard let instancesNode = root["instances"] else {
            return (nil, errors + [ConfigError(file: file, at: root, "missing instances (a list of mappings)")])
        }
        guard let items = instancesNode.sequence else {
            return (nil, errors + [ConfigError(file: file, at: instancesNode, "instances must be a list, found \(instancesNode.kindName)")])
        }
        guard errors.isEmpty else { return (nil, errors) }
        var instances: [InstanceConfig] = []
        for item in items {
            let problems = instanceProblems(item, file: file)
            if problems.isEmpty, let instance = try? parseInstance(item, checkName: checkName, initConfig: initConfig, file: file) {
                instances.append(instance)
            }
            errors += problems
        }
        return (CheckConfig(checkName: checkName, sourceFile: file, initConfig: initConfig,
                            instances: instances, adIdentifiers: adIdentifiers), errors)
    }

    /// Everything wrong with one instance, each at its position.
    public static func instanceProblems(_ item: ConfigNode, file: String) -> [ConfigError] {
        if item.isNull { return [] }
        guard item.mapping != nil else { return [ConfigError(file: file, at: item, "each instance must be a mapping, found \(item.kindName)")] }
        var problems: [ConfigError] = []
        if let raw = item["min_collection_interval"], !((raw.double ?? 0) > 0) {
            problems.append(ConfigError(file: file, at: raw, "min_collection_interval must be a positive number of seconds, found \(raw.scalarText.map { "\"\($0)\"" } ?? raw.kindName)"))
        }
        if let raw = item["tags"], !(raw.sequence?.allSatisfy({ $0.scalarText != nil }) ?? false) {
            problems.append(ConfigError(file: file, at: raw, "tags must be a list of strings, found \(raw.kindName)"))
        }
        if let raw = item["service"], raw.string == nil {
            problems.append(ConfigError(file: file, at: raw, "service must be a string, found \(raw.kindName)"))
        }
        return problems
    }

    public static func parseInstance(_ item: ConfigNode, checkName: String, initConfig: ConfigNode,
                                     file: String) throws(ConfigError) -> InstanceConfig {
        if let problem = instanceProblems(item, file: file).first { throw problem }
        let node = item.isNull ? ConfigNode(.mapping([]), line: item.line, column: item.column) : item
        let interval = node["min_collection_interval"]?.double ?? defaultInterval
        var tags = node["tags"]?.sequence?.compactMap(\.scalarText) ?? []
        let service = node["service"]?.string
        if let service { tags.append("service:\(service)") }
        let digest = ContextKey.fnv1a(node.json.serialized() + "\u{0}" + initConfig.json.serialized(),
                                      seed: ContextKey.offsetBasis)
        let hex = String(digest, radix: 16)
        let id = "\(checkName):\(String(repeating: "0", count: 16 - hex.count))\(hex)"
        return InstanceConfig(node: node, minCollectionInterval: interval, tags: tags, service: service, id: id)
    }
}
