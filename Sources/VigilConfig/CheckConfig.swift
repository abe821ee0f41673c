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

    /// Validates one parsed file.
    public static func parse(_ root: ConfigNode?, checkName: String, file: String) throws(ConfigError) -> CheckConfig {
        guard let root, let top = root.mapping else {
            throw ConfigError(file: file, at: root, "a check configuration must be a mapping with init_config and instances")
        }
        let initConfig = top.first { $0.key == "init_config" }?.value ?? ConfigNode(.scalar("", plain: true))
        if !initConfig.isNull, initConfig.mapping == nil {
            throw ConfigError(file: file, at: initConfig, "init_config must be a mapping")
        }
        var adIdentifiers: [String] = []
        if let ad = root["ad_identifiers"] {
            guard let items = ad.sequence, items.allSatisfy({ $0.scalarText != nil }) else {
                throw ConfigError(file: file, at: ad, "ad_identifiers must be a list of strings")
            }
            adIdentifiers = items.compactMap(\.scalarText)
        }
        guard let instancesNode = root["instances"] else {
            throw ConfigError(file: file, at: root, "missing instances")
        }
        guard let items = instancesNode.sequence else {
            throw ConfigError(file: file, at: instancesNode, "instances must be a list")
        }
        var instances: [InstanceConfig] = []
        for item in items {
            instances.append(try parseInstance(item, checkName: checkName, initConfig: initConfig, file: file))
        }
        return CheckConfig(checkName: checkName, sourceFile: file, initConfig: initConfig,
                           instances: instances, adIdentifiers: adIdentifiers)
    }

    public static func parseInstance(_ item: ConfigNode, checkName: String, initConfig: ConfigNode,
                                     file: String) throws(ConfigError) -> InstanceConfig {
        let node = item.isNull ? ConfigNode(.mapping([]), line: item.line, column: item.column) : item
        guard node.mapping != nil else {
            throw ConfigError(file: file, at: item, "each instance must be a mapping")
        }
        var interval = defaultInterval
        if let raw = node["min_collection_interval"] {
            guard let v = raw.double, v > 0 else {
                throw ConfigError(file: file, at: raw, "min_collection_interval must be a positive number of seconds")
            }
            interval = v
        }
        var tags: [String] = []
        if let raw = node["tags"] {
            guard let list = raw.sequence, list.allSatisfy({ $0.scalarText != nil }) else {
                throw ConfigError(file: file, at: raw, "tags must be a list of strings")
            }
            tags = list.compactMap(\.scalarText)
        }
        var service: String?
        if let raw = node["service"] {
            guard let s = raw.string else { throw ConfigError(file: file, at: raw, "service must be a string") }
            service = s
            tags.append("service:\(s)")
        }
        let digest = ContextKey.fnv1a(node.json.serialized() + "\u{0}" + initConfig.json.serialized(),
                                      seed: ContextKey.offsetBasis)
        let hex = String(digest, radix: 16)
        let id = "\(checkName):\(String(repeating: "0", count: 16 - hex.count))\(hex)"
        return InstanceConfig(node: node, minCollectionInterval: interval, tags: tags, service: service, id: id)
    }
}
