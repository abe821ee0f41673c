import SBOMScanner
import Testing

/// The scan queue's rules, driven with a clock the test owns.
@Suite struct ScanQueueTests {
    @Test func anImageIsQueuedOnceWhateverHappensToIt() {
        var queue = ScanQueue(baseBackoff: 10, maxBackoff: 60)
        let first = queue.add("sha256:a"), second = queue.add("sha256:a")
        #expect(first && !second, "a second reference to a queued image queues nothing")
        let picked1 = queue.next(now: 0)
        #expect(picked1 == "sha256:a")
        let whileScanning = queue.add("sha256:a")
        #expect(!whileScanning, "…nor while it is scanned")
        queue.succeeded("sha256:a")
        let afterScan = queue.add("sha256:a")
        #expect(!afterScan, "…nor once it was scanned")
        let picked2 = queue.next(now: 1000)
        #expect(picked2 == nil)
        #expect(queue.counts.done == 1)
    }

    @Test func failuresBackOffDoublingToTheCapAndSuccessForgets() {
        var queue = ScanQueue(baseBackoff: 10, maxBackoff: 60)
        queue.add("i")
        var now = 0.0
        var delays: [Double] = []
        for _ in 0..<5 {
            let picked3 = queue.next(now: now)
            #expect(picked3 == "i")
            delays.append(queue.failed("i", error: "blob missing", now: now) ?? -1)
            let picked4 = queue.next(now: now + delays.last! - 0.5)
            #expect(picked4 == nil, "not before its backoff")
            now += delays.last!
        }
        #expect(delays == [10, 20, 40, 60, 60])
        guard case let .waiting(_, failures, error) = queue.entries["i"]?.state else { Issue.record("not waiting"); return }
        #expect(failures == 5 && error == "blob missing")
        let picked5 = queue.next(now: now)
        #expect(picked5 == "i")
        queue.succeeded("i")
        #expect(queue.entries["i"]?.failures == 0, "a success forgets the backoff")
        #expect(queue.failedScans == 5 && queue.succeededScans == 1)
    }

    @Test func aRemovedImageIsNeverRetried() {
        var queue = ScanQueue(baseBackoff: 10, maxBackoff: 60)
        queue.add("waiting")
        queue.add("scanning")
        _ = queue.next(now: 0)
        _ = queue.next(now: 0)
        queue.failed("waiting", error: "e", now: 0)
        queue.remove("waiting")
        queue.remove("scanning")
        let outcome = queue.failed("scanning", error: "e", now: 0)
        #expect(outcome == nil, "the outcome of a forgotten image is ignored")
        let next = queue.next(now: 10_000)
        #expect(next == nil)
        #expect(queue.entries.isEmpty)
        let requeued = queue.add("waiting")
        #expect(requeued, "a new first reference queues it again")
    }

    @Test func aFullQueueDropsAndCounts() {
        var queue = ScanQueue(capacity: 2)
        let first = queue.add("a"), second = queue.add("b"), third = queue.add("c")
        #expect(first && second && !third)
        #expect(queue.dropped == 1)
        _ = queue.next(now: 0)
        let again = queue.add("c")
        #expect(again, "room again once one left the queue")
    }
}
