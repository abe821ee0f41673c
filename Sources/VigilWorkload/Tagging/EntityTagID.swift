/// Tagger entity ids: "container_id://<id>", "image_id://<digest>",
/// "kubernetes_pod_uid://<uid>" (the reference's pod prefix, which
/// DogStatsD's `dd.internal.entity_id` names).
enum EntityTagID {
    static func make(_ kind: EntityKind, _ id: String) -> String? {
        switch kind {
        case .container: "container_id://\(id)"
        case .image: "image_id://\(id)"
        case .pod: "kubernetes_pod_uid://\(id)"
        default: nil
        }
    }

    static func parse(_ entityID: String) -> (kind: EntityKind, id: String)? {
        if entityID.hasPrefix("container_id://") { return (.container, String(entityID.dropFirst(15))) }
        if entityID.hasPrefix("image_id://") { return (.image, String(entityID.dropFirst(11))) }
        if entityID.hasPrefix("kubernetes_pod_uid://") { return (.pod, String(entityID.dropFirst(21))) }
        return nil
    }
}
