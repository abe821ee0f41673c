/// How reports of one entity from several sources combine into the entity the store shows.
///
/// Rule: sources are ranked by name (ascending). A scalar field takes the first non-empty
/// (non-zero, non-"unknown") value in that order; maps are merged key by key with the same
/// precedence; lists are the ordered union without duplicates. So a source can enrich an
/// entity without erasing what another source knows, and the result does not depend on
/// the order the reports arrived in.
enum EntityMerge {
    static func merge(_ reports: [String: Entity]) -> Entity? {
        let ranked = reports.keys.sorted().compactMap { reports[$0] }
        guard var merged = ranked.first else { return nil }
        for report in ranked.dropFirst() where report.kind == merged.kind {
            merged = merge(merged, filledFrom: report)
        }
        return merged
    }

    static func merge(_ primary: Entity, filledFrom other: Entity) -> Entity {
        switch (primary, other) {
        case let (.container(a), .container(b)): .container(merge(a, b))
        case let (.image(a), .image(b)): .image(merge(a, b))
        case let (.generic(a), .generic(b)):
            .generic(GenericEntity(kind: a.kind, id: a.id, attributes: a.attributes.merging(b.attributes) { first, _ in first }))
        default: primary
        }
    }

    private static func merge(_ a: Container, _ b: Container) -> Container {
        var c = a
        c.name = pick(a.name, b.name)
        c.namespace = pick(a.namespace, b.namespace)
        c.runtime = pick(a.runtime, b.runtime)
        c.imageRef = pick(a.imageRef, b.imageRef)
        c.imageID = pick(a.imageID, b.imageID)
        c.labels = a.labels.merging(b.labels) { first, _ in first }
        c.env = a.env.merging(b.env) { first, _ in first }
        c.cgroupPath = pick(a.cgroupPath, b.cgroupPath)
        c.pid = pick(a.pid, b.pid)
        c.state = a.state == .unknown ? b.state : a.state
        c.createdAt = pick(a.createdAt, b.createdAt)
        c.startedAt = pick(a.startedAt, b.startedAt)
        c.finishedAt = pick(a.finishedAt, b.finishedAt)
        c.exitCode = pick(a.exitCode, b.exitCode)
        c.hostname = pick(a.hostname, b.hostname)
        c.ipAddresses = a.ipAddresses.isEmpty ? b.ipAddresses : a.ipAddresses
        c.ports = a.ports.isEmpty ? b.ports : a.ports
        return c
    }

    private static func merge(_ a: Image, _ b: Image) -> Image {
        var c = a
        c.name = pick(a.name, b.name)
        c.repoTags = union(a.repoTags, b.repoTags)
        c.repoDigests = union(a.repoDigests, b.repoDigests)
        c.layers = a.layers.isEmpty ? b.layers : a.layers
        c.mediaType = pick(a.mediaType, b.mediaType)
        c.os = pick(a.os, b.os)
        c.architecture = pick(a.architecture, b.architecture)
        c.variant = pick(a.variant, b.variant)
        c.sizeBytes = pick(a.sizeBytes, b.sizeBytes)
        c.createdAt = pick(a.createdAt, b.createdAt)
        // One source (the sbom module) reports the scan: take its state whole.
        if a.sbom.status.isEmpty { c.sbom = b.sbom }
        return c
    }

    private static func pick(_ a: String, _ b: String) -> String { a.isEmpty ? b : a }
    private static func pick(_ a: Int64, _ b: Int64) -> Int64 { a == 0 ? b : a }

    private static func union(_ a: [String], _ b: [String]) -> [String] {
        if b.isEmpty { return a }
        var seen = Set(a)
        var result = a
        for item in b where seen.insert(item).inserted { result.append(item) }
        return result
    }
}
