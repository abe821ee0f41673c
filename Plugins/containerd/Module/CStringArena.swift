import Foundation

/// C strings and string arrays that live until the arena is released: enough for one
/// host call, which copies everything it keeps.
final class CStringArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    func string(_ text: String) -> UnsafePointer<CChar> {
        let pointer = strdup(text)!
        allocations.append(UnsafeMutableRawPointer(pointer))
        return UnsafePointer(pointer)
    }

    /// nil for an empty list.
    func array(_ items: [String]) -> UnsafePointer<UnsafePointer<CChar>?>? {
        guard !items.isEmpty else { return nil }
        let buffer = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: items.count)
        for (index, item) in items.enumerated() { buffer[index] = string(item) }
        allocations.append(UnsafeMutableRawPointer(buffer))
        return UnsafePointer(buffer)
    }

    /// Flattens a map into key, value, key, value… (sorted by key for stable output).
    func pairs(_ map: [String: String]) -> UnsafePointer<UnsafePointer<CChar>?>? {
        array(map.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] })
    }

    deinit {
        for allocation in allocations { free(allocation) }
    }
}
