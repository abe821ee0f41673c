import VigilConfig

extension MapperProfile {
    /// The profiles under `key`, or a message saying what is wrong (the
    /// reference refuses the whole mapper on any invalid mapping).
    static func parse(_ node: ConfigNode, key: String) throws(MapperConfigError) -> [MapperProfile] {
        var node = node
        // From the environment the value is one string: JSON, as the reference takes it.
        if node.sequence == nil, let text = node.string {
            guard let parsed = try? YAMLLoader.load(text, file: key) else {
                throw MapperConfigError("\(key) must be a list of profiles (YAML or JSON)")
            }
            node = parsed
        }
        guard let list = node.sequence else { throw MapperConfigError("\(key) must be a list of profiles") }
        return try list.enumerated().map { (i, profile) throws(MapperConfigError) in
            guard let name = profile["name"]?.string, !name.isEmpty else {
                throw MapperConfigError("\(key)[\(i)]: name is required")
            }
            guard let prefix = profile["prefix"]?.string, !prefix.isEmpty else {
                throw MapperConfigError("\(key) profile \(name): prefix is required")
            }
            guard let mappings = profile["mappings"]?.sequence else {
                throw MapperConfigError("\(key) profile \(name): mappings must be a list")
            }
            return MapperProfile(name: name, prefix: prefix, mappings: try mappings.enumerated().map {
                (j, m) throws(MapperConfigError) in try mapping(m, where: "\(key) profile \(name), mapping \(j)")
            })
        }
    }

    private static func mapping(_ node: ConfigNode, where place: String) throws(MapperConfigError) -> Mapping {
        var tags: [(String, String)] = []
        if let tagNode = node["tags"] {
            guard let pairs = tagNode.mapping else { throw MapperConfigError("\(place): tags must be a mapping") }
            for (k, v) in pairs {
                guard let value = v.string else { throw MapperConfigError("\(place): tag \(k) must be a string") }
                tags.append((k, value))
            }
        }
        return try mapping(match: node["match"]?.string, matchType: node["match_type"]?.string,
                           name: node["name"]?.string, tags: tags, where: place)
    }
}
