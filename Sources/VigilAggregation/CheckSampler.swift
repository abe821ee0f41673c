import Synchronization
import VigilModel

/// Turns one check instance's submissions into series. Samples accumulate
/// during a run; `commit` closes the run; `flush` hands over every point
/// committed since the last flush. Thread-safe: collectors may submit from
/// their own threads at any time.
public final class CheckSampler: FlushSource {
    struct State {
        var contexts: [ContextKey: CheckContext] = [:]
        /// Committed, not yet flushed, points per context and suffix.
        var pending: [PendingKey: Series] = [:]
        var pendingOrder: [PendingKey] = []
        var serviceChecks: [ServiceCheck] = []
        var events: [Event] = []
        var samplesThisRun = 0
    }

    struct PendingKey: Hashable {
        let context: ContextKey
        let name: String
    }

    public let hostname: String
    /// Contexts not sampled for this long lose their rate/counter baseline.
    public let contextExpirySeconds: Double
    private let state = Mutex(State())

    public init(hostname: String, contextExpirySeconds: Double = 1500) {
        self.hostname = hostname
        self.contextExpirySeconds = contextExpirySeconds
    }

    /// Builds a context's name, normalised tags and host; called only for a
    /// context not seen before.
    public typealias MakeContext = () -> (name: String, tags: [String], host: String)

    /// The function `addBatch` hands its body: the arguments of
    /// `add(key:type:value:flushFirstValue:epoch:makeContext:)` in order.
    public typealias AddFunction = (ContextKey, CheckMetricType, Double, Bool, UInt64, MakeContext) -> Void

    /// Adds one sample. `makeContext` is called only for a context not seen
    /// before, so steady-state submissions build no strings. `epoch` is the
    /// sample's series epoch (`vigil_metric.series_epoch`): for a rate or
    /// monotonic count, a value different from the one the context's previous
    /// sample carried starts a new baseline instead of a rate or delta across
    /// the change. Other types ignore it.
    @inline(__always)
    public func add(key: ContextKey, type: CheckMetricType, value: Double, flushFirstValue: Bool = false,
                    epoch: UInt64 = 0, makeContext: MakeContext) {
        state.withLock { s in
            CheckSampler.add(&s, key: key, type: type, value: value, flushFirstValue: flushFirstValue, epoch: epoch,
                             makeContext)
        }
    }

    /// Adds many samples under one lock: `body` receives an `add` function
    /// with the same arguments as `add(key:type:value:flushFirstValue:epoch:makeContext:)`.
    public func addBatch(_ body: (_ add: AddFunction) -> Void) {
        state.withLock { s in
            body { key, type, value, flushFirstValue, epoch, makeContext in
                CheckSampler.add(&s, key: key, type: type, value: value, flushFirstValue: flushFirstValue, epoch: epoch,
                                 makeContext)
            }
        }
    }

    @inline(__always)
    private static func add(_ s: inout State, key: ContextKey, type: CheckMetricType, value: Double,
                            flushFirstValue: Bool, epoch: UInt64, _ makeContext: MakeContext) {
        s.samplesThisRun += 1
        if let index = s.contexts.index(forKey: key), s.contexts.values[index].type == type {
            s.contexts.values[index].add(value, epoch: epoch)
            return
        }
        let parts = makeContext()
        var context = CheckContext(name: parts.name, tags: parts.tags, host: parts.host, type: type,
                                   flushFirstValue: flushFirstValue, epoch: epoch)
        context.add(value, epoch: epoch)
        s.contexts[key] = context
    }

    /// Convenience for Swift callers: hashes and normalises the tags.
    public func add(name: String, type: CheckMetricType, value: Double, tags: [String], host: String? = nil,
                    flushFirstValue: Bool = false, epoch: UInt64 = 0) {
        let host = host ?? hostname
        let key = ContextKey(name: name, host: host, tags: tags)
        add(key: key, type: type, value: value, flushFirstValue: flushFirstValue, epoch: epoch) {
            (name, Tags.normalized(tags), host)
        }
    }

    public func add(serviceCheck: ServiceCheck) {
        state.withLock { $0.serviceChecks.append(serviceCheck) }
    }

    public func add(event: Event) {
        state.withLock { $0.events.append(event) }
    }

    /// Closes a run at `time` (unix seconds). Returns the number of metric
    /// samples submitted during the run.
    @discardableResult
    public func commit(time: Double) -> Int {
        state.withLock { s in
            let timestamp = Int64(time)
            var expired: [ContextKey] = []
            for key in Array(s.contexts.keys) {
                var context = s.contexts[key]!
                let (tags, host) = (context.tags, context.host)
                context.commit(time: time) { name, type, value in
                    guard value.isFinite else { return }
                    let pendingKey = PendingKey(context: key, name: name)
                    if s.pending[pendingKey] == nil {
                        s.pending[pendingKey] = Series(name: name, type: type, points: [], tags: tags, host: host)
                        s.pendingOrder.append(pendingKey)
                    }
                    s.pending[pendingKey]!.points.append(Point(timestamp: timestamp, value: value))
                }
                if time - context.lastSeen > contextExpirySeconds { expired.append(key) }
                s.contexts[key] = context
            }
            for key in expired { s.contexts[key] = nil }
            let samples = s.samplesThisRun
            s.samplesThisRun = 0
            return samples
        }
    }

    /// Points are committed per run, so `now` and `force` change nothing here.
    public func flush(now: Double, force: Bool) -> FlushBatch {
        state.withLock { s in
            let series = s.pendingOrder.compactMap { s.pending[$0] }
            let batch = FlushBatch(series: series, serviceChecks: s.serviceChecks, events: s.events)
            s.pending.removeAll(keepingCapacity: true)
            s.pendingOrder.removeAll(keepingCapacity: true)
            s.serviceChecks.removeAll()
            s.events.removeAll()
            return batch
        }
    }

    public var contextCount: Int { state.withLock { $0.contexts.count } }
}
