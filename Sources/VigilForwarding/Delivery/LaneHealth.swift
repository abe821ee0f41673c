import Foundation
import Synchronization
import VigilModel

/// A lane's part in readiness. A lane is fine while it delivers or has
/// nothing to deliver; once payloads have waited longer than `deadline`
/// without one delivery (the destination hangs, refuses or is unreachable),
/// it says so, with the last reason, until a payload goes through.
final class LaneHealth: Sendable {
    let heartbeat: Heartbeat
    private let progress = Mutex<(at: Double, lastReason: String?)>((ProcessInfo.processInfo.systemUptime, nil))

    init(heartbeat: Heartbeat) { self.heartbeat = heartbeat }

    /// After an attempt (nil when the lane was empty): the lane waits again.
    func judge(_ outcome: DeliveryOutcome?) {
        heartbeat.waiting()
        let now = ProcessInfo.processInfo.systemUptime
        guard case let .retry(reason, _)? = outcome else {
            progress.withLock { $0 = (now, nil) }
            heartbeat.report(problem: nil)
            return
        }
        let since = progress.withLock { state -> Double in
            state.lastReason = reason
            return state.at
        }
        if now - since > heartbeat.deadline {
            heartbeat.report(problem: String(format: "no delivery for %.0f s with payloads waiting; last: %@", now - since, reason))
        }
    }
}
