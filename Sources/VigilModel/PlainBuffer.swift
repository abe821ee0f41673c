/// A growable array of plain values behind a raw pointer. The per-sample
/// hot paths index it directly: no uniqueness check, no bounds check and no
/// reference counting, which `Array` would each add per sample.
public struct PlainBuffer<Element: BitwiseCopyable>: ~Copyable {
    @usableFromInline var storage: UnsafeMutablePointer<Element>
    @usableFromInline var capacity: Int
    @usableFromInline var _count = 0
    @inlinable public var count: Int { _count }

    @inlinable
    public init(capacity: Int = 64) {
        self.capacity = Swift.max(capacity, 1)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// The first element; valid until the next `append`.
    @inlinable public var base: UnsafeMutablePointer<Element> { storage }

    /// The elements, as a buffer valid until the next `append`.
    @inlinable public var elements: UnsafeMutableBufferPointer<Element> {
        UnsafeMutableBufferPointer(start: storage, count: count)
    }

    @inlinable @inline(__always)
    public mutating func append(_ element: Element) {
        if count == capacity { grow() }
        (storage + _count).initialize(to: element)
        _count += 1
    }

    @usableFromInline
    mutating func grow() {
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        grown.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = grown
        capacity *= 2
    }

    /// Keeps the first `n` elements (and the capacity).
    @inlinable
    public mutating func truncate(to n: Int) {
        precondition(n <= count)
        _count = n
    }

    @inlinable
    public mutating func removeAll() { _count = 0 }

    /// Gives back capacity far beyond the count (after a burst): when more
    /// than four times what is used (and `floor`), it becomes twice the
    /// count. Returns whether it shrank.
    @discardableResult
    public mutating func shrink(floor: Int) -> Bool {
        let target = Swift.max(floor, count * 2, 1)
        guard capacity > 4 * Swift.max(count, 1), capacity > target else { return false }
        let smaller = UnsafeMutablePointer<Element>.allocate(capacity: target)
        smaller.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = smaller
        capacity = target
        return true
    }
}
