import Foundation
import Synchronization
import Testing
import VigilScheduler

final class FakeCheck: SchedulableCheck, @unchecked Sendable {
    let instanceID: String
    let checkName = "fake"
    let interval: Double
    let sleep: Double
    let fail: Bool
    let runs = Atomic<Int>(0)
    let concurrent = Atomic<Int>(0)
    let maxConcurrent = Atomic<Int>(0)

    init(id: String, interval: Double, sleep: Double = 0, fail: Bool = false) {
        instanceID = id
        self.interval = interval
        self.sleep = sleep
        self.fail = fail
    }

    func run() -> CheckRunResult {
        let now = concurrent.add(1, ordering: .relaxed).newValue
        if now > maxConcurrent.load(ordering: .relaxed) { maxConcurrent.store(now, ordering: .relaxed) }
        runs.add(1, ordering: .relaxed)
        if sleep > 0 { Thread.sleep(forTimeInterval: sleep) }
        concurrent.subtract(1, ordering: .relaxed)
        return CheckRunResult(error: fail ? "boom" : nil, warnings: fail ? [] : ["w"], metricSamples: 3)
    }
}

/// Real threads and real time, with generous margins for a loaded 2-core box.
@Suite(.serialized) struct SchedulerTests {
    @Test func hungCheckIsSkippedAndDoesNotDelayOthers() {
        let scheduler = Scheduler(runners: 2)
        let slow = FakeCheck(id: "slow", interval: 0.1, sleep: 1.2)
        let fast = FakeCheck(id: "fast", interval: 0.1)
        scheduler.schedule(slow)
        scheduler.schedule(fast)
        scheduler.start()
        Thread.sleep(forTimeInterval: 1.0)
        let stats = scheduler.stats()
        scheduler.stop(timeout: 3)
        #expect(slow.runs.load(ordering: .relaxed) == 1)
        #expect(slow.maxConcurrent.load(ordering: .relaxed) == 1)
        #expect((stats["slow"]?.skipped ?? 0) >= 3)
        #expect(fast.runs.load(ordering: .relaxed) >= 5)
        #expect((stats["fast"]?.runs ?? 0) >= 5)
        #expect(stats["fast"]?.skipped == 0)
    }

    @Test func failingCheckIsReportedAndRunsAgain() {
        let scheduler = Scheduler(runners: 1)
        let failing = FakeCheck(id: "bad", interval: 0.1, fail: true)
        scheduler.schedule(failing)
        scheduler.start()
        Thread.sleep(forTimeInterval: 0.55)
        scheduler.stop()
        let stats = scheduler.stats()["bad"]
        #expect((stats?.runs ?? 0) >= 3)
        #expect(stats?.errors == stats?.runs)
        #expect(stats?.lastError == "boom")
        #expect(stats?.lastMetricSamples == 3)
        #expect(stats?.totalMetricSamples == 3 * (stats?.runs ?? 0))
    }

    @Test func statsRecordWarningsAndDurations() {
        let scheduler = Scheduler(runners: 1)
        let check = FakeCheck(id: "w", interval: 10, sleep: 0.05)
        scheduler.schedule(check)
        scheduler.start()
        Thread.sleep(forTimeInterval: 0.4)
        scheduler.stop()
        let stats = scheduler.stats()["w"]
        #expect(stats?.runs == 1)
        #expect(stats?.warnings == 1)
        #expect((stats?.lastDurationNanos ?? 0) >= 50_000_000)
        #expect(stats?.averageDurationNanos == stats?.lastDurationNanos)
    }

    /// One runner, taken by a run that outlasts its interval: the slot goes
    /// to a new runner, so the other check is not starved.
    @Test func anOverrunningRunGivesItsRunnerBack() {
        let scheduler = Scheduler(runners: 1)
        let stuck = FakeCheck(id: "stuck", interval: 0.2, sleep: 2.5)
        let fast = FakeCheck(id: "fast", interval: 0.1)
        scheduler.schedule(stuck)
        scheduler.schedule(fast, initialDelay: 0.05)
        scheduler.start()
        Thread.sleep(forTimeInterval: 1.5)
        let stats = scheduler.stats()
        #expect(fast.runs.load(ordering: .relaxed) >= 6, "the only runner stayed with the stuck run")
        #expect(stuck.runs.load(ordering: .relaxed) == 1)
        #expect(stats["stuck"]?.state == .overrunning)
        #expect(stats["fast"]?.errors == 0)
        scheduler.stop(timeout: 3)
    }

    /// Past `module_run_timeout` a run is counted failed once and shown hung;
    /// when it returns at last it counts as a run, not as a second error.
    @Test func aRunPastTheTimeoutIsCountedFailedAndHung() {
        let scheduler = Scheduler(runners: 2, runTimeout: 0.4)
        let slow = FakeCheck(id: "slow", interval: 0.2, sleep: 1.5)
        scheduler.schedule(slow)
        scheduler.start()
        Thread.sleep(forTimeInterval: 0.9)
        let during = scheduler.stats()["slow"]
        #expect(during?.state == .hung)
        #expect(during?.timeouts == 1)
        #expect(during?.errors == 1)
        #expect(during?.runs == 0)
        #expect(during?.lastError?.contains("module_run_timeout") == true)
        #expect((during?.runningSeconds ?? 0) >= 0.4)
        Thread.sleep(forTimeInterval: 1.0)
        let after = scheduler.stats()["slow"]
        scheduler.stop(timeout: 3)
        #expect((after?.runs ?? 0) >= 1)
        #expect(after?.timeouts == 1)
        #expect(after?.errors == 1)
        #expect(after?.state != .hung)
    }

    /// `stop` waits only its timeout for a run that does not return, and names it.
    @Test func stopAbandonsARunThatDoesNotReturn() {
        let scheduler = Scheduler(runners: 2)
        let hung = FakeCheck(id: "hung", interval: 10, sleep: 3)
        scheduler.schedule(hung)
        scheduler.start()
        Thread.sleep(forTimeInterval: 0.3)
        let started = Date()
        let abandoned = scheduler.stop(timeout: 0.3)
        #expect(Date().timeIntervalSince(started) < 1.5)
        #expect(abandoned.map(\.instanceID) == ["hung"])
        #expect(abandoned.first?.checkName == "fake")
        #expect((abandoned.first?.runningSeconds ?? 0) >= 0.5)
    }
}
