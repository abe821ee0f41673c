#if canImport(Glibc)
import Glibc
#endif

/// Owns C copies of Swift values for the length of one call across the ABI
/// (the host calling a module, or a module calling the host), so that
/// everything the ABI calls "borrowed" stays valid until then.
public final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    public init() {}

    deinit { for block in blocks { free(block) } }

    public func string(_ s: String) -> UnsafePointer<CChar> {
        let p = strdup(s)!
        blocks.append(UnsafeMutableRawPointer(p))
        return UnsafePointer(p)
    }

    /// nil for an empty list, as the ABI allows.
    public func strings(_ list: [String]) -> UnsafePointer<UnsafePointer<CChar>?>? {
        guard !list.isEmpty else { return nil }
        let array = allocate(UnsafePointer<CChar>?.self, count: list.count)
        for (i, s) in list.enumerated() { array[i] = string(s) }
        return UnsafePointer(array)
    }

    /// Key/value pairs as a flat array of 2*count strings, keys sorted so the output is stable.
    public func pairs(_ map: [String: String]) -> (UnsafePointer<UnsafePointer<CChar>?>?, UInt32) {
        let flat = map.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }
        return (strings(flat), UInt32(map.count))
    }

    public func value<T>(_ v: T) -> UnsafePointer<T> {
        let p = allocate(T.self, count: 1)
        p.initialize(to: v)
        return UnsafePointer(p)
    }

    public func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let raw = malloc(max(1, MemoryLayout<T>.stride * count))!
        blocks.append(raw)
        return raw.bindMemory(to: T.self, capacity: count)
    }
}
