import VigilForwarding
import VigilModel

/// What the console reads: the agent's own state, as the status API hands
/// it to `vigil status`, `vigil workload` and `vigil tagger`, and the local
/// store `vigil query` reads. Closures, so the console depends on no stage's
/// types and a benchmark or test can hand it any agent-shaped data.
public struct ConsoleSources: Sendable {
    public var hostname: String
    /// `GET /status`'s document.
    public var status: @Sendable () -> JSONValue
    /// `GET /workload?kind=…`'s listing; `nil` for every kind.
    public var workload: @Sendable (_ kind: String?) -> JSONValue
    /// `GET /tagger`'s listing: each entity's tags by cardinality.
    public var tags: @Sendable () -> JSONValue
    /// Nil when `local_store: false`: the plots then say so.
    public var store: LocalStoreQuery?

    public init(hostname: String, status: @escaping @Sendable () -> JSONValue,
                workload: @escaping @Sendable (String?) -> JSONValue, tags: @escaping @Sendable () -> JSONValue,
                store: LocalStoreQuery?) {
        self.hostname = hostname
        self.status = status
        self.workload = workload
        self.tags = tags
        self.store = store
    }
}
