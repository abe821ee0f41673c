/// One copy of each layer digest however many images list it.
///
/// Images built on the same bases list the same layers: on a node with thousands of images
/// each digest (a 71-character string, 112 bytes on the heap) would otherwise be held once
/// per image. The pool counts the reports holding each digest and forgets it with the last.
/// Sharing changes no value: a report's layers are equal before and after.
struct LayerPool {
    private var entries: [String: (shared: String, holders: Int)] = [:]

    var count: Int { entries.count }

    /// `entity` with its layers (if an image) replaced by the pool's copies, now held once more.
    mutating func hold(_ entity: Entity) -> Entity {
        guard case var .image(image) = entity, !image.layers.isEmpty else { return entity }
        image.layers = image.layers.map { layer in
            if let index = entries.index(forKey: layer) {
                entries.values[index].holders += 1
                return entries.values[index].shared
            }
            entries[layer] = (layer, 1)
            return layer
        }
        return .image(image)
    }

    /// A report that held its layers through `hold` is gone.
    mutating func release(_ entity: Entity) {
        guard case let .image(image) = entity else { return }
        for layer in image.layers {
            guard let index = entries.index(forKey: layer) else { continue }
            if entries.values[index].holders <= 1 { entries.remove(at: index) } else { entries.values[index].holders -= 1 }
        }
    }
}
