import Dispatch
import Synchronization

/// One subscriber: its filter, and a serial delivery of event batches outside the store lock.
///
/// Batches are queued (under the store lock, so in mutation order) and drained by one
/// job at a time on the subscriber's own queue; consecutive change batches are coalesced
/// into one handler call. Nothing is ever dropped: the store must stay consistent.
final class Subscription: Sendable {
    typealias Handler = @Sendable (_ events: [EntityEvent], _ isInitialBundle: Bool) -> Void

    let id: UInt64
    let name: String
    let filter: SubscriptionFilter
    private let handler: Handler
    private let queue: DispatchQueue
    private let key = DispatchSpecificKey<UInt64>()

    private struct State {
        var pending: [(events: [EntityEvent], initial: Bool)] = []
        var draining = false
        var cancelled = false
        var delivered: UInt64 = 0
    }
    private let state = Mutex(State())

    init(id: UInt64, name: String, filter: SubscriptionFilter, handler: @escaping Handler) {
        self.id = id
        self.name = name
        self.filter = filter
        self.handler = handler
        queue = DispatchQueue(label: "vigil.workload.subscriber.\(name)")
        queue.setSpecific(key: key, value: id)
    }

    var pendingCount: Int { state.withLock { $0.pending.reduce(0) { $0 + $1.events.count } } }
    var deliveredCount: UInt64 { state.withLock { $0.delivered } }

    func enqueue(_ events: [EntityEvent], initial: Bool) {
        let shouldSchedule = state.withLock { state -> Bool in
            guard !state.cancelled else { return false }
            if !initial, let last = state.pending.last, !last.initial {
                state.pending[state.pending.count - 1].events.append(contentsOf: events)
            } else {
                state.pending.append((events, initial))
            }
            if state.draining { return false }
            state.draining = true
            return true
        }
        if shouldSchedule { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            let next = state.withLock { state -> (events: [EntityEvent], initial: Bool)? in
                guard !state.cancelled, !state.pending.isEmpty else {
                    state.draining = false
                    return nil
                }
                return state.pending.removeFirst()
            }
            guard let next else { return }
            handler(next.events, next.initial)
            state.withLock { $0.delivered += UInt64(next.events.count) }
        }
    }

    /// Stops delivery. Unless called from the handler itself, waits for a running handler to return.
    func cancel() {
        state.withLock {
            $0.cancelled = true
            $0.pending.removeAll()
        }
        if DispatchQueue.getSpecific(key: key) != id {
            queue.sync {}
        }
    }
}
