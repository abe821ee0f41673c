/// Tagger entity ids: "container_id://<id>", "image_id://<digest>".
enum EntityTagID {
    static func make(_ kind: EntityKind, _ id: String) -> String? {
        switch kind {
        case .container: "container_id://\(id)"
        case .image: "image_id://\(id)"
        default: nil
        }
    }

    static func parse(_ entityID: String) -> (kind: EntityKind, id: String)? {
        if entityID.hasPrefix("container_id://") { return (.container, String(entityID.dropFirst(15))) }
        if entityID.hasPrefix("image_id://") { return (.image, String(entityID.dropFirst(11))) }
        return nil
    }
}
