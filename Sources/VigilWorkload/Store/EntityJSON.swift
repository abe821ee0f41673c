import VigilModel

/// Entities as JSON objects for `vigil workload --json`.
enum EntityJSON {
    static func json(_ entity: Entity, sources: [String]) -> JSONValue {
        var fields: [(String, JSONValue)] = [("kind", .string(entity.kind.name)), ("id", .string(entity.id))]
        switch entity {
        case let .container(c):
            fields += [
                ("name", .string(c.name)), ("namespace", .string(c.namespace)), ("runtime", .string(c.runtime)),
                ("image_ref", .string(c.imageRef)), ("image_id", .string(c.imageID)),
                ("labels", map(c.labels)), ("env", map(c.env)), ("cgroup_path", .string(c.cgroupPath)),
                ("pid", .int(c.pid)), ("state", .string(c.state.name)), ("created_at", .int(c.createdAt)),
                ("started_at", .int(c.startedAt)), ("finished_at", .int(c.finishedAt)), ("exit_code", .int(c.exitCode)),
                ("hostname", .string(c.hostname)), ("ip_addresses", list(c.ipAddresses)),
                ("ports", .array(c.ports.map { .int(Int64($0)) })),
            ]
        case let .image(i):
            fields += [
                ("name", .string(i.name)), ("repo_tags", list(i.repoTags)), ("repo_digests", list(i.repoDigests)),
                ("layers", list(i.layers)), ("media_type", .string(i.mediaType)), ("os", .string(i.os)),
                ("architecture", .string(i.architecture)), ("variant", .string(i.variant)),
                ("size_bytes", .int(i.sizeBytes)), ("created_at", .int(i.createdAt)),
            ]
            if !i.sbom.status.isEmpty {
                fields.append(("sbom", .object([
                    ("status", .string(i.sbom.status)), ("error", .string(i.sbom.error)),
                    ("generated_at", .int(i.sbom.generatedAt)), ("duration_ms", .int(i.sbom.durationMilliseconds)),
                    ("package_count", .int(i.sbom.packageCount)), ("retry_at", .int(i.sbom.retryAt)),
                ])))
            }
        case let .generic(g):
            fields.append(("attributes", map(g.attributes)))
        }
        fields.append(("sources", list(sources)))
        return .object(fields)
    }

    static func map(_ dictionary: [String: String]) -> JSONValue {
        .object(dictionary.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }

    static func list(_ items: [String]) -> JSONValue { .array(items.map { .string($0) }) }
}
