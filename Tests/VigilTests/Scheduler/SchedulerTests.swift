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
}
