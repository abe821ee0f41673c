import Synchronization

/// Every long-lived component's heartbeat, and what they add up to:
/// live when no liveness component is late, ready when live, no readiness
/// component is late, and the agent's own conditions for readiness (the
/// first flush, collectors synced) hold.
public final class HealthRegistry: Sendable {
    private let beats = Mutex<[Heartbeat]>([])

    public init() {}

    public func register(_ component: String, deadline: Double, role: HealthRole = .liveness) -> Heartbeat {
        let heartbeat = Heartbeat(component: component, deadline: deadline, role: role)
        beats.withLock { $0.append(heartbeat) }
        return heartbeat
    }

    public func components() -> [ComponentHealth] {
        let now = Heartbeat.nowMilliseconds()
        return beats.withLock { $0 }.map { $0.health(nowMilliseconds: now) }.sorted { $0.component < $1.component }
    }

    public struct Verdict: Sendable {
        public var healthy: Bool
        /// Each component's state, and for readiness the conditions not yet met.
        public var components: [ComponentHealth]
        public var waitingFor: [String]

        public var json: JSONValue {
            .object([
                ("status", .string(healthy ? "ok" : "unhealthy")),
                ("failing", .array(components.filter { !$0.healthy }.map { .string($0.component) })),
                ("waiting_for", .array(waitingFor.map { .string($0) })),
                ("components", .array(components.map { c in
                    .object([
                        ("name", .string(c.component)), ("role", .string(c.role.rawValue)),
                        ("state", .string(c.healthy ? "ok" : "failing")),
                        ("detail", c.detail.map { .string($0) } ?? .null),
                    ])
                })),
            ])
        }
    }

    public func liveness() -> Verdict {
        let all = components()
        let live = all.filter { $0.role == .liveness }
        return Verdict(healthy: live.allSatisfy(\.healthy), components: live, waitingFor: [])
    }

    /// `conditions` are the agent's own, each with what it waits for when unmet.
    public func readiness(conditions: [(met: Bool, waitingFor: String)]) -> Verdict {
        let all = components()
        let waiting = conditions.filter { !$0.met }.map(\.waitingFor)
        return Verdict(healthy: all.allSatisfy(\.healthy) && waiting.isEmpty, components: all, waitingFor: waiting)
    }
}
