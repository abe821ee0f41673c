import Foundation
import Logging
import VigilModel

/// Runs each scheduled check at its interval on `runners` runner slots.
///
/// A module's `run` is C code that cannot be interrupted, so a run that
/// never returns keeps its thread for good. What the scheduler can do is
/// stop counting it: once a run outlasts its interval (or
/// `module_run_timeout`), its thread no longer holds a slot and a fresh
/// runner thread takes the slot over, so hung instances never occupy
/// every runner. The hung thread finishes its run whenever the module
/// returns, records it, and exits.
///
/// An instance never overlaps itself: when it is still queued or running
/// at its next due time, that run is skipped and counted, so a hung
/// instance costs one thread and nothing else — it is not run again until
/// its previous run has returned.
public final class Scheduler: StatusReporting, @unchecked Sendable {
    /// A runner thread. `released` once its run overran: it then exits
    /// after that run instead of taking more work.
    final class Runner: @unchecked Sendable {  // read and written under `condition`
        var released = false
    }

    struct Entry {
        let check: SchedulableCheck
        var nextDue: Double
        /// Queued or running.
        var busy = false
        /// Monotonic seconds at which the current run started; nil when not running.
        var runStarted: Double?
        var runner: Runner?
        /// The overrun of the current run was logged and its slot given back.
        var overran = false
        /// The current run passed `module_run_timeout` and was counted failed.
        var timedOut = false
        var stats: InstanceStats
    }

    /// A run still in progress when the scheduler stopped.
    public struct AbandonedRun: Sendable, Equatable {
        public var instanceID: String
        public var checkName: String
        public var runningSeconds: Double
    }

    private let runnerCount: Int
    /// Seconds after which a run is counted failed; 0 = never.
    public let runTimeout: Double
    private let logger: Logger
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var entries: [String: Entry] = [:]
    private var queue: [String] = []
    private var stopping = false
    private var runnerSerial = 0
    /// Set once by `start`, before the timer thread reads it.
    private var heartbeat: Heartbeat?
    private var hungBeat: Heartbeat?
    private let clock: @Sendable () -> Double

    public init(runners: Int, runTimeout: Double = 0, logger: Logger = Logger(label: "vigil.scheduler"),
                clock: @escaping @Sendable () -> Double = { MonotonicClock.seconds() }) {
        self.runnerCount = max(1, runners)
        self.runTimeout = max(0, runTimeout)
        self.logger = logger
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

    /// The timer loop beats into `health` (when given) at least once a second;
    /// `checks` (readiness) fails while a run is past `module_run_timeout`.
    public func start(health: HealthRegistry? = nil) {
        heartbeat = health?.register("scheduler", deadline: 30)
        if runTimeout > 0 { hungBeat = health?.register("checks", deadline: .infinity, role: .readiness) }
        let timer = Thread { [self] in timerLoop() }
        timer.name = "vigil-scheduler"
        timer.start()
        condition.lock()
        for _ in 0..<runnerCount { startRunner() }
        condition.unlock()
    }

    /// Stops dispatching and waits up to `timeout` seconds for runs in
    /// progress (a module cannot be preempted). Returns the runs that had
    /// not returned by then: their threads are left to themselves.
    @discardableResult
    public func stop(timeout: Double = 10) -> [AbandonedRun] {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        queue.removeAll()
        for (id, entry) in entries where entry.busy && entry.runStarted == nil { entries[id]?.busy = false }
        condition.broadcast()
        let deadline = Date(timeIntervalSinceNow: max(0, timeout))
        while entries.values.contains(where: { $0.runStarted != nil }), condition.wait(until: deadline) {}
        let now = clock()
        return entries.compactMap { id, entry in
            entry.runStarted.map { AbandonedRun(instanceID: id, checkName: entry.check.checkName, runningSeconds: now - $0) }
        }.sorted { $0.instanceID < $1.instanceID }
    }

    public func stats() -> [String: InstanceStats] {
        condition.lock()
        defer { condition.unlock() }
        let now = clock()
        return entries.mapValues { entry in
            var stats = entry.stats
            stats.state = entry.timedOut ? .hung : entry.overran ? .overrunning
                : entry.runStarted != nil ? .running : entry.busy ? .queued : .idle
            stats.runningSeconds = entry.runStarted.map { now - $0 }
            return stats
        }
    }

    /// Called with `condition` held.
    private func startRunner() {
        let runner = Runner()
        let thread = Thread { [self] in runnerLoop(runner) }
        thread.name = "vigil-runner-\(runnerSerial)"
        runnerSerial += 1
        thread.start()
    }

    private func timerLoop() {
        condition.lock()
        defer { condition.unlock() }
        while !stopping {
            heartbeat?.beat()
            let now = clock()
            var nextWake = now + 1
            var hung: [String] = []
            for (id, entry) in entries {
                var e = entry
                if e.nextDue <= now {
                    // Keep the cadence: the next due time follows the schedule,
                    // not the moment this run happens to start.
                    e.nextDue = max(entry.nextDue + entry.check.interval, now)
                    if e.busy {
                        e.stats.skipped += 1
                    } else {
                        e.busy = true
                        queue.append(id)
                    }
                }
                nextWake = min(nextWake, e.nextDue)
                if let started = e.runStarted {
                    watch(&e, id: id, running: now - started)
                    if e.timedOut { hung.append("\(e.check.checkName) (\(id))") }
                    // Wake when this run would pass its next limit, not up to a second later.
                    if !e.overran { nextWake = min(nextWake, started + overrunLimit(e) + 0.001) }
                    if runTimeout > 0, !e.timedOut { nextWake = min(nextWake, started + runTimeout + 0.001) }
                }
                entries[id] = e
            }
            hungBeat?.report(problem: hung.isEmpty ? nil
                : "\(hung.count) check run\(hung.count == 1 ? "" : "s") past module_run_timeout (\(Int(runTimeout)) s): \(hung.sorted().joined(separator: ", "))")
            condition.broadcast()
            _ = condition.wait(until: Date(timeIntervalSinceNow: max(0.001, nextWake - clock())))
        }
    }

    /// An overrun gives the run's slot to a new runner, once per run, and is
    /// logged once; `module_run_timeout` then counts the run failed.
    private func watch(_ e: inout Entry, id: String, running: Double) {
        if !e.overran, running > overrunLimit(e) {
            e.overran = true
            e.runner?.released = true
            startRunner()
            logger.warning("check \(e.check.checkName) (\(id)) has been running for \(Self.seconds(running)), past its \(Self.seconds(e.check.interval)) interval: its runs are skipped until it returns, and it no longer holds one of the \(runnerCount) check runners")
        }
        if runTimeout > 0, !e.timedOut, running > runTimeout {
            e.timedOut = true
            e.stats.errors += 1
            e.stats.timeouts += 1
            e.stats.lastError = "run exceeded module_run_timeout (\(Self.seconds(runTimeout))) and was abandoned; it has not returned"
            logger.error("check \(e.check.checkName) (\(id)) exceeded module_run_timeout (\(Self.seconds(runTimeout))): run counted failed and abandoned; the module cannot be interrupted, so the instance is not run again until the call returns")
        }
    }

    private func overrunLimit(_ e: Entry) -> Double {
        runTimeout > 0 ? min(e.check.interval, runTimeout) : e.check.interval
    }

    private func runnerLoop(_ runner: Runner) {
        condition.lock()
        defer { condition.unlock() }
        while !runner.released {
            while queue.isEmpty, !stopping { condition.wait() }
            if stopping { return }
            let id = queue.removeFirst()
            guard let check = entries[id]?.check else { continue }
            let started = clock()
            entries[id]?.runStarted = started
            entries[id]?.runner = runner
            condition.unlock()
            let result = check.run()
            let finished = clock()
            condition.lock()
            if var entry = entries[id], entry.check === check {
                if entry.overran {
                    logger.notice("check \(check.checkName) (\(id)) returned after \(Self.seconds(finished - started))")
                }
                entry.busy = false
                entry.runStarted = nil
                entry.runner = nil
                // A timed-out run was counted failed already; its late result
                // still counts as a run, but not as a second error.
                entry.stats.record(result, duration: UInt64(max(0, finished - started) * 1e9), at: WallClock.now(),
                                   alreadyFailed: entry.timedOut)
                entry.overran = false
                entry.timedOut = false
                entries[id] = entry
            }
            condition.broadcast()
        }
    }

    /// "1.5 s", "42 s": durations as the log writes them.
    public static func seconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.1f s", value) : "\(Int(value.rounded())) s"
    }

    public var statusSectionName: String { "checks" }

    public func statusSnapshot() -> JSONValue {
        .object(stats().sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })
    }
}
