import Foundation

/// Collector settings from the instance (conf.d/containerd.d) or the agent configuration.
enum ModuleSettings {
    struct Invalid: Error, CustomStringConvertible { var description: String }

    static func load(_ value: (String) -> String?) throws -> CollectorSettings {
        var settings = CollectorSettings()
        if let socket = value("containerd_socket"), !socket.isEmpty { settings.socketPath = socket }
        if let namespaces = value("containerd_namespaces"), !namespaces.isEmpty {
            let list = try stringList(namespaces, key: "containerd_namespaces")
            settings.namespaces = list.isEmpty ? nil : list
        }
        if let env = value("container_env_as_tags"), !env.isEmpty {
            settings.environmentAllowList.formUnion(mapKeys(env))
        }
        if let text = value("containerd_resync_interval"), !text.isEmpty {
            guard let seconds = Double(text), seconds >= 1 else {
                throw Invalid(description: "containerd_resync_interval must be a number of seconds >= 1, got \"\(text)\"")
            }
            settings.resyncInterval = .milliseconds(Int64(seconds * 1000))
        }
        return settings
    }

    /// Lists arrive as JSON; a plain scalar is one item or a comma/space separated list.
    static func stringList(_ text: String, key: String) throws -> [String] {
        if text.hasPrefix("[") {
            guard let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any] else {
                throw Invalid(description: "\(key) must be a list of strings")
            }
            return list.compactMap { $0 as? String }.filter { !$0.isEmpty }
        }
        return text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
    }

    /// `container_env_as_tags` is a map (JSON object) of variable → tag name; only the names matter here.
    static func mapKeys(_ text: String) -> [String] {
        if let map = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] { return Array(map.keys) }
        return text.split(whereSeparator: { $0 == "," || $0 == " " }).compactMap { $0.split(separator: ":").first.map(String.init) }
    }
}
