/// Any workload entity.
///
/// Indirect: an entity is one pointer wherever it is kept (the store's tables, events,
/// arrays) rather than its widest case inline (208 bytes for a container); a store of
/// 30,000 images sized its table for 65,536 of them.
public indirect enum Entity: Sendable, Hashable, Codable {
    case container(Container)
    case image(Image)
    case generic(GenericEntity)

    public var kind: EntityKind {
        switch self {
        case .container: .container
        case .image: .image
        case let .generic(entity): entity.kind
        }
    }

    public var id: String {
        switch self {
        case let .container(container): container.id
        case let .image(image): image.id
        case let .generic(entity): entity.id
        }
    }

    public var container: Container? {
        if case let .container(container) = self { return container }
        return nil
    }

    public var image: Image? {
        if case let .image(image) = self { return image }
        return nil
    }
}
