import Synchronization

/// The entity ids a module has published, so that it can withdraw exactly
/// those when it stops.
public final class PublishedSet: Sendable {
    private let ids = Mutex<Set<String>>([])

    public init() {}

    public func insert(_ id: String) { ids.withLock { _ = $0.insert(id) } }
    public func remove(_ id: String) { ids.withLock { _ = $0.remove(id) } }
    public var count: Int { ids.withLock { $0.count } }
    /// Every id, emptying the set.
    public func drain() -> [String] {
        ids.withLock { set in
            let all = set.sorted()
            set.removeAll()
            return all
        }
    }
}
