import Foundation
import Synchronization
import VigilModel

/// Runs each scheduled check at its interval on a bounded pool of runner
/// threads. An instance never overlaps itself: when it is still queued or
/// running at its next due time, that run is skipped and counted, so one
/// slow or hung check costs at most one runner and delays nobody else.
public final class Scheduler: StatusReporting, @unchecked Sendable {
    struct Entry {
        let check: SchedulableCheck
        var nextDue: Double
        var busy = false
        var stats: InstanceStats
    }

    private let runnerCount: Int
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var entries: [String: Entry] = [:]
    private var queue: [String] = []
    private var stopping = false
    private var threads: [Thread] = []
    /// Set once by `start`, before the timer thread reads it.
    private var heartbeat: Heartbeat?
    private let clock: @Sendable () -> Double

    public init(runners: Int, clock: @escaping @Sendable () -> Double = { MonotonicClock.seconds() }) {
        self.runnerCount = max(1, runners)
        self.clock = clock
    }

    /// Adds a check; its first run is due at once (or after `initialDelay`).
    public func schedule(_ check: SchedulableCheck, initialDelay: Double = 0) {
        condition.lock()
        entries[check.instanceID] = Entry(check: check, nextDue: clock() + initialDelay,
                                          stats: InstanceStats(checkName: check.checkName, interval: check.interval))
        condition.broadcast()
        condition.unlock()
    }

    /// Removes a check; a run in progress finishes but is not repeated.
    public func unschedule(instanceID: String) {
        condition.lock()
        entries[instanceID] = nil
        queue.removeAll { $0 == instanceID }
        condition.unlock()
    }

    /// The timer loop beats into `health` (when given) at least once a second.
    public func start(health: HealthRegistry? = nil) {
        heartbeat = health?.register("scheduler", deadline: 30)
        let timer = Thread { [self] in timerLoop() }
        timer.name = "vigil-scheduler"
        threads.append(timer)
        for i in 0..<runnerCount {
            let runner = Thread { [self] in runnerLoop() }
            runner.name = "vigil-runner-\(i)"
            threads.append(runner)
        }
        threads.forEach { $0.start() }
    }

    /// Stops dispatching. Runs in progress are not interrupted (a module
    /// cannot be preempted); waits up to `timeout` seconds for them.
    public func stop(timeout: Double = 10) {
        condition.lock()
        stopping = true
        queue.removeAll()
        condition.broadcast()
        let deadline = Date(timeIntervalSinceNow: timeout)
        while entries.values.contains(where: \.busy), condition.wait(until: deadline) {}
        condition.unlock()
    }

    public func stats() -> [String: InstanceStats] {
        condition.lock()
        defer { condition.unlock() }
        return entries.mapValues(\.stats)
    }

    private func timerLoop() {
        condition.lock()
        defer { condition.unlock() }
        while !stopping {
            heartbeat?.beat()
            let now = clock()
            var nextWake = now + 1
            for (id, entry) in entries {
                if entry.nextDue <= now {
                    var e = entry
                    // Keep the cadence: the next due time follows the schedule,
                    // not the moment this run happens to start.
                    e.nextDue = max(entry.nextDue + entry.check.interval, now)
                    if e.busy {
                        e.stats.skipped += 1
                    } else {
                        e.busy = true
                        queue.append(id)
                    }
                    entries[id] = e
                    nextWake = min(nextWake, e.nextDue)
                } else {
                    nextWake = min(nextWake, entry.nextDue)
                }
            }
            condition.broadcast()
            _ = condition.wait(until: Date(timeIntervalSinceNow: max(0.001, nextWake - clock())))
        }
    }

    private func runnerLoop() {
        condition.lock()
        while true {
            while queue.isEmpty, !stopping { condition.wait() }
            if stopping { break }
            let id = queue.removeFirst()
            guard let check = entries[id]?.check else { continue }
            condition.unlock()
            let started = MonotonicClock.nanoseconds()
            let result = check.run()
            let duration = MonotonicClock.nanoseconds() - started
            condition.lock()
            if var entry = entries[id], entry.check === check {
                entry.busy = false
                entry.stats.record(result, duration: duration, at: WallClock.now())
                entries[id] = entry
            }
            condition.broadcast()
        }
        condition.unlock()
    }

    public var statusSectionName: String { "checks" }

    public func statusSnapshot() -> JSONValue {
        .object(stats().sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })
    }
}
