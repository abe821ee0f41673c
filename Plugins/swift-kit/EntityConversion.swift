import CVigilModule
import VigilEntities
#if canImport(Glibc)
import Glibc
#endif

/// vigil_container as ABI 1.0 defined it (up to exit_code): the least a module may pass.
private let containerSize10 = UInt32(MemoryLayout<vigil_container>.offset(of: \vigil_container.hostname)!)
/// vigil_image as ABI 1.0 defined it (up to created_at).
private let imageSize10 = UInt32(MemoryLayout<vigil_image>.offset(of: \vigil_image.sbom_status)!)

/// Entities between the ABI's C structs and the workload store's types.
public enum EntityConversion {
    public static func fromC(_ p: UnsafePointer<vigil_entity>) -> Entity? {
        let e = p.pointee
        guard e.struct_size >= UInt32(MemoryLayout<vigil_entity>.size), let idPtr = e.id,
              let kind = EntityKind(rawValue: Int(e.kind))
        else { return nil }
        let id = String(cString: idPtr)
        guard !id.isEmpty else { return nil }
        switch kind {
        case .container:
            guard let pointer = e.container, pointer.pointee.struct_size >= containerSize10 else { return nil }
            // A module built against an older header passes a shorter struct: read what it covers.
            var c = vigil_container()
            memcpy(&c, pointer, min(Int(pointer.pointee.struct_size), MemoryLayout<vigil_container>.size))
            return .container(Container(
                id: id, name: optionalString(c.name) ?? "", namespace: optionalString(c.namespace_name) ?? "",
                runtime: optionalString(c.runtime) ?? "", imageRef: optionalString(c.image_ref) ?? "",
                imageID: optionalString(c.image_id) ?? "", labels: readCPairs(c.labels, c.label_count),
                env: readCPairs(c.env, c.env_count), cgroupPath: optionalString(c.cgroup_path) ?? "",
                pid: c.pid, state: ContainerState(rawValue: Int(c.state)) ?? .unknown,
                createdAt: c.created_at, startedAt: c.started_at, finishedAt: c.finished_at, exitCode: c.exit_code,
                hostname: optionalString(c.hostname) ?? "", ipAddresses: readCStrings(c.ip_addresses, c.ip_address_count),
                ports: c.ports.map { Array(UnsafeBufferPointer(start: $0, count: Int(c.port_count))) } ?? []))
        case .image:
            guard let pointer = e.image, pointer.pointee.struct_size >= imageSize10 else { return nil }
            var i = vigil_image()
            memcpy(&i, pointer, min(Int(pointer.pointee.struct_size), MemoryLayout<vigil_image>.size))
            return .image(Image(
                id: id, name: optionalString(i.name) ?? "", repoTags: readCStrings(i.repo_tags, i.repo_tag_count),
                repoDigests: readCStrings(i.repo_digests, i.repo_digest_count), layers: readCStrings(i.layers, i.layer_count),
                mediaType: MediaTypes.string(i.media_type), os: optionalString(i.os) ?? "",
                architecture: optionalString(i.architecture) ?? "", variant: optionalString(i.variant) ?? "",
                sizeBytes: i.size_bytes, createdAt: i.created_at,
                sbom: SBOMState(status: optionalString(i.sbom_status) ?? "", error: optionalString(i.sbom_error) ?? "",
                                generatedAt: i.sbom_generated_at, durationMilliseconds: i.sbom_duration_ms,
                                packageCount: i.sbom_package_count, retryAt: i.sbom_retry_at)))
        case .pod, .autoscaler:
            return .generic(GenericEntity(kind: kind, id: id, attributes: readCPairs(e.attributes, e.attribute_count)))
        }
    }

    /// A C view of `entity` whose memory lives as long as `arena`.
    public static func toC(_ entity: Entity, _ arena: CArena) -> UnsafePointer<vigil_entity> {
        var out = vigil_entity()
        out.struct_size = UInt32(MemoryLayout<vigil_entity>.size)
        out.kind = UInt32(entity.kind.rawValue)
        out.id = arena.string(entity.id)
        switch entity {
        case let .container(c):
            var cc = vigil_container()
            cc.struct_size = UInt32(MemoryLayout<vigil_container>.size)
            cc.state = UInt32(c.state.rawValue)
            cc.name = arena.string(c.name)
            cc.namespace_name = arena.string(c.namespace)
            cc.runtime = arena.string(c.runtime)
            cc.image_ref = arena.string(c.imageRef)
            cc.image_id = arena.string(c.imageID)
            (cc.labels, cc.label_count) = arena.pairs(c.labels)
            (cc.env, cc.env_count) = arena.pairs(c.env)
            cc.cgroup_path = arena.string(c.cgroupPath)
            cc.pid = c.pid
            cc.created_at = c.createdAt
            cc.started_at = c.startedAt
            cc.finished_at = c.finishedAt
            cc.exit_code = c.exitCode
            cc.hostname = arena.string(c.hostname)
            cc.ip_addresses = arena.strings(c.ipAddresses)
            cc.ip_address_count = UInt32(c.ipAddresses.count)
            if !c.ports.isEmpty {
                let ports = arena.allocate(UInt16.self, count: c.ports.count)
                ports.initialize(from: c.ports, count: c.ports.count)
                cc.ports = UnsafePointer(ports)
                cc.port_count = UInt32(c.ports.count)
            }
            out.container = arena.value(cc)
        case let .image(i):
            var ci = vigil_image()
            ci.struct_size = UInt32(MemoryLayout<vigil_image>.size)
            ci.name = arena.string(i.name)
            ci.repo_tags = arena.strings(i.repoTags)
            ci.repo_tag_count = UInt32(i.repoTags.count)
            ci.repo_digests = arena.strings(i.repoDigests)
            ci.repo_digest_count = UInt32(i.repoDigests.count)
            ci.layers = arena.strings(i.layers)
            ci.layer_count = UInt32(i.layers.count)
            ci.media_type = arena.string(i.mediaType)
            ci.os = arena.string(i.os)
            ci.architecture = arena.string(i.architecture)
            ci.variant = arena.string(i.variant)
            ci.size_bytes = i.sizeBytes
            ci.created_at = i.createdAt
            ci.sbom_status = arena.string(i.sbom.status)
            ci.sbom_error = arena.string(i.sbom.error)
            ci.sbom_generated_at = i.sbom.generatedAt
            ci.sbom_duration_ms = i.sbom.durationMilliseconds
            ci.sbom_package_count = i.sbom.packageCount
            ci.sbom_retry_at = i.sbom.retryAt
            out.image = arena.value(ci)
        case let .generic(g):
            (out.attributes, out.attribute_count) = arena.pairs(g.attributes)
        }
        return arena.value(out)
    }
}
