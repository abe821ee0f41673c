import Foundation
import Logging
import Synchronization
import VigilModel

/// The last resort behind `stop_timeout`: every step of a shutdown is
/// bounded on its own, but should one still not return (a host lock a hung
/// module holds, a disk that blocks), the process ends at the deadline
/// anyway, saying which step it was in, rather than wait for SIGKILL.
final class ShutdownWatchdog: Sendable {
    private let state = Mutex<(phase: String, done: Bool)>(("starting", false))

    init(deadline: Double, budget: Double, logger: Logger) {
        let thread = Thread { [self] in
            while MonotonicClock.seconds() < deadline {
                if state.withLock({ $0.done }) { return }
                Thread.sleep(forTimeInterval: min(0.1, max(0.001, deadline - MonotonicClock.seconds())))
            }
            let phase = state.withLock { $0.done ? nil : $0.phase }
            guard let phase else { return }
            logger.critical("stop_timeout (\(Int(budget)) s) passed while \(phase); exiting without the rest")
            // Not exit(): its handlers may wait for locks a hung module thread holds.
            _exit(1)
        }
        thread.name = "vigil-stop-watchdog"
        thread.start()
    }

    func phase(_ name: String) { state.withLock { $0.phase = name } }

    func done() { state.withLock { $0.done = true } }
}
