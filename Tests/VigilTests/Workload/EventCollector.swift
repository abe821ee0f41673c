import Foundation
import Synchronization
@testable import VigilWorkload

/// Records what a subscription delivers, and waits for it.
final class EventCollector: Sendable {
    struct Call: Sendable {
        var events: [EntityEvent]
        var initial: Bool
    }

    private let calls = Mutex<[Call]>([])

    var handler: @Sendable ([EntityEvent], Bool) -> Void {
        { events, initial in self.calls.withLock { $0.append(Call(events: events, initial: initial)) } }
    }

    var snapshot: [Call] { calls.withLock { $0 } }
    var events: [EntityEvent] { snapshot.flatMap(\.events) }
    var changes: [EntityEvent] { snapshot.filter { !$0.initial }.flatMap(\.events) }

    /// Waits (at most 5 s) until `count` events in total have arrived.
    @discardableResult
    func wait(forEvents count: Int) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while events.count < count {
            if Date() > deadline { return false }
            usleep(1_000)
        }
        return true
    }
}

func container(_ id: String, _ configure: (inout Container) -> Void = { _ in }) -> Entity {
    var value = Container(id: id, name: "name-\(id)", namespace: "default", runtime: "containerd")
    configure(&value)
    return .container(value)
}
