import CVigilModule

/// Publishes collected entities through the agent's host table (source "containerd").
struct HostSink: EntitySink, @unchecked Sendable {
    // The host table and handle stay valid until destroy(), which stops the collector first.
    let api: UnsafePointer<vigil_host_api>
    let host: OpaquePointer

    static let source = "containerd"

    func publish(_ container: ContainerRecord) {
        let arena = CStringArena()
        var value = vigil_container()
        value.struct_size = UInt32(MemoryLayout<vigil_container>.size)
        value.state = container.state.rawValue
        value.name = arena.string(container.id)
        value.namespace_name = arena.string(container.namespace)
        value.runtime = arena.string("containerd")
        value.image_ref = arena.string(container.imageRef)
        value.image_id = arena.string(container.imageID)
        value.labels = arena.pairs(container.labels)
        value.label_count = UInt32(container.labels.count)
        value.env = arena.pairs(container.env)
        value.env_count = UInt32(container.env.count)
        value.cgroup_path = arena.string(container.cgroupPath)
        value.pid = container.pid
        value.created_at = container.createdAt
        value.started_at = container.startedAt
        value.finished_at = container.finishedAt
        value.exit_code = container.exitCode
        withUnsafePointer(to: &value) { pointer in
            var entity = vigil_entity()
            entity.struct_size = UInt32(MemoryLayout<vigil_entity>.size)
            entity.kind = VIGIL_ENTITY_CONTAINER.rawValue
            entity.id = arena.string(container.id)
            entity.container = pointer
            report(api.pointee.publish_entity(host, Self.source, &entity), "publish container \(container.id)")
        }
    }

    func publish(_ image: ImageRecord) {
        let arena = CStringArena()
        var value = vigil_image()
        value.struct_size = UInt32(MemoryLayout<vigil_image>.size)
        value.name = arena.string(image.name)
        value.repo_tags = arena.array(image.repoTags)
        value.repo_tag_count = UInt32(image.repoTags.count)
        value.repo_digests = arena.array(image.repoDigests)
        value.repo_digest_count = UInt32(image.repoDigests.count)
        value.layers = arena.array(image.layers)
        value.layer_count = UInt32(image.layers.count)
        value.media_type = arena.string(image.mediaType)
        value.os = arena.string(image.os)
        value.architecture = arena.string(image.architecture)
        value.variant = arena.string(image.variant)
        value.size_bytes = image.sizeBytes
        value.created_at = image.createdAt
        withUnsafePointer(to: &value) { pointer in
            var entity = vigil_entity()
            entity.struct_size = UInt32(MemoryLayout<vigil_entity>.size)
            entity.kind = VIGIL_ENTITY_IMAGE.rawValue
            entity.id = arena.string(image.id)
            entity.image = pointer
            report(api.pointee.publish_entity(host, Self.source, &entity), "publish image \(image.id)")
        }
    }

    func removeContainer(id: String) {
        report(api.pointee.remove_entity(host, Self.source, VIGIL_ENTITY_CONTAINER, id), "remove container \(id)")
    }

    func removeImage(id: String) {
        report(api.pointee.remove_entity(host, Self.source, VIGIL_ENTITY_IMAGE, id), "remove image \(id)")
    }

    func setReady() { api.pointee.set_ready(host) }

    func log(_ level: LogLevel, _ message: String) {
        api.pointee.log(host, vigil_log_level(rawValue: level.rawValue), message)
    }

    private func report(_ status: vigil_status, _ what: String) {
        // NOT_FOUND on removal just means the store already forgot it.
        if status != VIGIL_OK && status != VIGIL_ERROR_NOT_FOUND {
            log(.debug, "\(what): host answered status \(status.rawValue)")
        }
    }

    /// Reads a configuration value: the instance first, then the agent configuration.
    func configValue(_ key: String) -> String? {
        for scope in [VIGIL_CONFIG_INSTANCE, VIGIL_CONFIG_AGENT] {
            let length = api.pointee.config_value(host, scope, key, nil, 0)
            // (size_t)-1 in C means "no such key"; size_t imports into Swift as Int.
            if length < 0 { continue }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            _ = api.pointee.config_value(host, scope, key, &buffer, buffer.count)
            return String(cString: buffer)
        }
        return nil
    }
}
