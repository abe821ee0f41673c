import Foundation
import Synchronization

/// What a component's failure means: `liveness` components are the agent's
/// own loops (a stuck one needs a restart); `readiness` ones can fail while
/// the process is fine (a destination that hangs), so they make the agent
/// not ready without asking kubelet to restart it.
public enum HealthRole: String, Sendable {
    case liveness
    case readiness
}

/// One long-lived component's sign of life. A periodic component calls
/// `beat()` each cycle and is late when a cycle is missed by `deadline`; a
/// component that waits for work calls `waiting()` before it blocks and
/// `working()` when it wakes, and is late only when a piece of work runs
/// past `deadline`. Atomics only: the DogStatsD readers beat per batch.
public final class Heartbeat: Sendable {
    public let component: String
    public let deadline: Double
    public let role: HealthRole
    /// Monotonic milliseconds of the last beat or change of state.
    private let last = Atomic<Int64>(Heartbeat.nowMilliseconds())
    private let idle = Atomic<Bool>(false)
    private let problem = Mutex<String?>(nil)

    public init(component: String, deadline: Double, role: HealthRole) {
        self.component = component
        self.deadline = deadline
        self.role = role
    }

    @inline(__always)
    public func beat() { last.store(Self.nowMilliseconds(), ordering: .relaxed) }

    public func waiting() {
        idle.store(true, ordering: .relaxed)
        beat()
    }

    public func working() {
        idle.store(false, ordering: .relaxed)
        beat()
    }

    /// A condition the component reports itself (e.g. "no delivery for 3 min, 12 payloads waiting");
    /// nil clears it. Unhealthy while set, whatever the beats say.
    public func report(problem text: String?) { problem.withLock { $0 = text } }

    public func health(nowMilliseconds now: Int64 = Heartbeat.nowMilliseconds()) -> ComponentHealth {
        let age = Double(now - last.load(ordering: .relaxed)) / 1000
        if let text = problem.withLock({ $0 }) {
            return ComponentHealth(component: component, role: role, healthy: false, detail: text, age: age)
        }
        if idle.load(ordering: .relaxed) || age <= deadline {
            return ComponentHealth(component: component, role: role, healthy: true, detail: nil, age: age)
        }
        let detail = String(format: "no sign of life for %.0f s (deadline %.0f s)", age, deadline)
        return ComponentHealth(component: component, role: role, healthy: false, detail: detail, age: age)
    }

    /// CLOCK_MONOTONIC_COARSE: a few nanoseconds, millisecond-ish resolution, enough here.
    @inline(__always)
    public static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

public struct ComponentHealth: Sendable, Equatable {
    public var component: String
    public var role: HealthRole
    public var healthy: Bool
    public var detail: String?
    /// Seconds since the last beat.
    public var age: Double
}
