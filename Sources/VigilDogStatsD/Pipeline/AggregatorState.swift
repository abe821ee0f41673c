import Synchronization
import VigilAggregation
import VigilModel

/// What workers write and `flush` reads, behind one lock.
struct AggregatorState {
    var sampler: TimeSampler
    var events: [Event] = []
    var serviceChecks: [ServiceCheck] = []
    /// Events and service checks beyond this wait-list size are dropped (and counted).
    static let maxPending = 10_000
    var droppedEvents = 0
    var droppedServiceChecks = 0
}

/// The lock around `AggregatorState`, shared by workers and `flush`.
final class SharedAggregator: Sendable {
    let state: Mutex<AggregatorState>

    init(sampler: sending TimeSampler) {
        state = Mutex(AggregatorState(sampler: sampler))
    }
}
