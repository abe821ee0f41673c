import VigilSwiftModuleKit

/// Collector settings from the instance (conf.d/containerd.d) or the agent configuration.
enum ModuleSettings {
    static func load(_ options: ModuleOptions) throws -> CollectorSettings {
        var settings = CollectorSettings()
        if let socket = options.string("containerd_socket") { settings.socketPath = socket }
        if let namespaces = try options.stringList("containerd_namespaces") {
            settings.namespaces = namespaces.isEmpty ? nil : namespaces
        }
        // `container_env_as_tags` maps variable → tag name; only the variable names matter here.
        if let env = try options.stringMap("container_env_as_tags") {
            settings.environmentAllowList.formUnion(env.keys)
        }
        if let interval = try options.seconds("containerd_resync_interval", minimum: 1) {
            settings.resyncInterval = interval
        }
        if let interval = try options.seconds("container_network_refresh_interval", minimum: 1) {
            settings.networkRefreshInterval = interval
        }
        if let procRoot = options.string("proc_root") { settings.procRoot = procRoot }
        // The host answers run_path resolved; the cache file there belongs to this module.
        if let runPath = options.string("run_path") { settings.imageCachePath = runPath + "/containerd-images.db" }
        if let cache = try options.bool("containerd_image_cache"), !cache { settings.imageCachePath = nil }
        if let width = try options.integer("containerd_image_reads", minimum: 1) { settings.readWidth = width }
        if let connections = try options.integer("containerd_image_read_connections", minimum: 1) {
            settings.blobConnections = connections
        }
        return settings
    }
}
