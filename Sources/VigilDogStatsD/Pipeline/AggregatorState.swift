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

    /// Takes a packet's events (emptying `incoming`); beyond the wait-list size they are counted and dropped.
    mutating func add(events incoming: inout [Event]) {
        let room = Swift.max(0, Self.maxPending - events.count)
        events.append(contentsOf: incoming.prefix(room))
        droppedEvents += Swift.max(0, incoming.count - room)
        incoming.removeAll(keepingCapacity: true)
    }

    mutating func add(serviceChecks incoming: inout [ServiceCheck]) {
        let room = Swift.max(0, Self.maxPending - serviceChecks.count)
        serviceChecks.append(contentsOf: incoming.prefix(room))
        droppedServiceChecks += Swift.max(0, incoming.count - room)
        incoming.removeAll(keepingCapacity: true)
    }
}

/// The lock around `AggregatorState`, shared by workers and `flush`.
final class SharedAggregator: Sendable {
    let state: Mutex<AggregatorState>

    init(sampler: sending TimeSampler) {
        state = Mutex(AggregatorState(sampler: sampler))
    }
}
