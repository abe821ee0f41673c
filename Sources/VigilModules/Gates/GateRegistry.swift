import Foundation
import Synchronization
import VigilConfig
import VigilModel

/// The state of a gate, numbered as `vigil_gate_state` in the C ABI.
public enum GateState: Int, Sendable {
    case dormant = 0, open = 1, closing = 2

    public var name: String {
        switch self {
        case .dormant: "dormant"
        case .open: "open"
        case .closing: "closing"
        }
    }
}

/// Named gates in the core (ABI 1.3). A module opens a gate (the autoscaling
/// module opens "autoscaling" when the first DatadogPodAutoscaler appears);
/// collectors that declare `wait_for_gate: NAME` run only while it is open
/// or closing (`GatedCollectors`).
///
/// Only gates the configuration declares exist, each dormant at first; any
/// other name reads as open, so a collector waiting on a gate nobody
/// declared starts at once, as the reference's "enabled gate" does when
/// autoscaling is off. A gate let go of stays open unless it has a
/// `closeAfter`: then it is closing for that long and becomes dormant
/// unless opened again.
///
/// Observers are told of the state when they register, then of every later
/// change, in the order the changes were made, on one serial queue and
/// never under the registry's lock: they may call back into it.
public final class GateRegistry: Sendable {
    public struct Gate: Sendable, Equatable {
        public var name: String
        public var state: GateState = .dormant
        /// Seconds between letting go and dormancy; nil: once open, open for good.
        public var closeAfter: Double?
        /// The instance that last opened or let go of it, and what it said.
        public var setBy: String?
        public var reason: String = ""
        /// Wall-clock seconds of the last state change (0: never changed).
        public var since: Double = 0
        /// When a closing gate becomes dormant.
        public var closesAt: Double?
        public var openCount: Int = 0
        public var closeCount: Int = 0
    }

    /// What `set` did.
    public enum SetResult: Sendable, Equatable { case changed, unchanged, undeclared }

    private struct State {
        var gates: [String: Gate] = [:]
        /// Each observer with the notification sequence number current when it registered.
        var observers: [UInt64: (gate: String, since: UInt64, handler: @Sendable (GateState) -> Void)] = [:]
        var nextObserver: UInt64 = 1
        /// Numbers every notification; an observer gets only those numbered after its registration.
        var sequence: UInt64 = 0
        /// Bumped at each change of a gate; a close timer fires only if its generation still holds.
        var generations: [String: UInt64] = [:]
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "vigil.gates")
    private let clock: @Sendable () -> Double

    public init(clock: @escaping @Sendable () -> Double = { WallClock.now() }) {
        self.clock = clock
    }

    /// The gates a configuration declares: "autoscaling" when `autoscaling_enabled`
    /// is true, closing `autoscaling_close_after` seconds after its last
    /// DatadogPodAutoscaler is gone (0 or unset: never).
    public convenience init(config: AgentConfig) {
        self.init()
        if config.bool("autoscaling_enabled") == true {
            let closeAfter = config.double("autoscaling_close_after").flatMap { $0 > 0 ? $0 : nil }
            declare("autoscaling", closeAfter: closeAfter)
        }
    }

    /// Declares a dormant gate; declaring it again changes only its closeAfter.
    public func declare(_ name: String, closeAfter: Double? = nil) {
        state.withLock { s in
            if s.gates[name] == nil { s.gates[name] = Gate(name: name, closeAfter: closeAfter) }
            else { s.gates[name]!.closeAfter = closeAfter }
        }
    }

    public func isDeclared(_ name: String) -> Bool { state.withLock { $0.gates[name] != nil } }

    /// The gate's state; a name no configuration declared reads as open.
    public func state(of name: String) -> GateState { state.withLock { $0.gates[name]?.state ?? .open } }

    public func gate(_ name: String) -> Gate? { state.withLock { $0.gates[name] } }

    public var gates: [Gate] { state.withLock { $0.gates.values.sorted { $0.name < $1.name } } }

    /// Opens or lets go of a gate on behalf of `by` (an instance id).
    @discardableResult
    public func set(_ name: String, open: Bool, reason: String, by: String) -> SetResult {
        let now = clock()
        // Notifications are queued while the lock is held, so they are delivered in the order the
        // changes were made.
        return state.withLock { s in
            guard var gate = s.gates[name] else { return .undeclared }
            gate.setBy = by
            gate.reason = reason
            var changed: GateState?
            var closeIn: Double?
            switch (gate.state, open) {
            case (.dormant, true), (.closing, true):
                gate.state = .open
                gate.closesAt = nil
                gate.openCount += 1
                changed = .open
            case (.open, false):
                if let closeAfter = gate.closeAfter {
                    gate.state = .closing
                    gate.closesAt = now + closeAfter
                    closeIn = closeAfter
                    changed = .closing
                }
            default: break
            }
            guard let changed else {
                s.gates[name] = gate
                return .unchanged
            }
            gate.since = now
            s.generations[name, default: 0] += 1
            s.gates[name] = gate
            s.sequence += 1
            let sequence = s.sequence
            queue.async { [weak self] in self?.deliver(name, changed, sequence: sequence) }
            if let closeIn {
                let generation = s.generations[name, default: 0]
                queue.asyncAfter(deadline: .now() + closeIn) { [weak self] in self?.expire(name, generation: generation) }
            }
            return .changed
        }
    }

    /// A closing gate whose time ran out without a reopening becomes dormant.
    private func expire(_ name: String, generation: UInt64) {
        let now = clock()
        let sequence = state.withLock { s -> UInt64? in
            guard s.generations[name] == generation, var gate = s.gates[name], gate.state == .closing else { return nil }
            gate.state = .dormant
            gate.closesAt = nil
            gate.since = now
            gate.closeCount += 1
            s.gates[name] = gate
            s.generations[name, default: 0] += 1
            s.sequence += 1
            return s.sequence
        }
        // Already on the queue: observers run here, after every notification queued before.
        if let sequence { deliver(name, .dormant, sequence: sequence) }
    }

    /// Calls `handler` with the gate's current state (on the gate queue, soon), then at each change.
    @discardableResult
    public func observe(_ name: String, _ handler: @escaping @Sendable (GateState) -> Void) -> UInt64 {
        state.withLock { s -> UInt64 in
            let id = s.nextObserver
            s.nextObserver += 1
            s.observers[id] = (name, s.sequence, handler)
            let current = s.gates[name]?.state ?? .open
            queue.async { [weak self] in
                guard let self, let handler = self.state.withLock({ $0.observers[id]?.handler }) else { return }
                handler(current)
            }
            return id
        }
    }

    public func stopObserving(_ id: UInt64) { state.withLock { _ = $0.observers.removeValue(forKey: id) } }

    /// Waits until every notification queued so far has been handled (tests, shutdown).
    public func drain() { queue.sync {} }

    private func deliver(_ name: String, _ new: GateState, sequence: UInt64) {
        let handlers = state.withLock { s in
            s.observers.sorted { $0.key < $1.key }.filter { $0.value.gate == name && $0.value.since < sequence }.map(\.value.handler)
        }
        for handler in handlers { handler(new) }
    }

    /// One object per declared gate for `vigil status`.
    public func statusJSON(collectors: (String) -> [JSONValue] = { _ in [] }) -> JSONValue {
        .array(gates.map { gate in
            var fields: [(String, JSONValue)] = [
                ("name", .string(gate.name)), ("state", .string(gate.state.name)),
                ("close_after_seconds", gate.closeAfter.map { .double($0) } ?? .null),
                ("set_by", gate.setBy.map { .string($0) } ?? .null),
                ("reason", .string(gate.reason)),
                ("since", gate.since > 0 ? .double(gate.since) : .null),
                ("opened", .int(Int64(gate.openCount))), ("closed", .int(Int64(gate.closeCount))),
            ]
            if let closesAt = gate.closesAt { fields.append(("closes_at", .double(closesAt))) }
            fields.append(("collectors", .array(collectors(gate.name))))
            return .object(fields)
        })
    }
}
