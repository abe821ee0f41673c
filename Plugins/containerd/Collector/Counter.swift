import Synchronization

/// A thread-safe counter (round-robin choice among pooled connections).
final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    /// The value before this increment.
    func increment() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
}
