import Testing
import VigilAggregation
import VigilModel

@Suite struct CheckSamplerTests {
    let sampler = CheckSampler(hostname: "h")

    func points(_ batch: FlushBatch, _ name: String) -> [Double] {
        batch.series.filter { $0.name == name }.flatMap(\.points).map(\.value)
    }

    @Test func gaugeKeepsLastValueOfRun() {
        sampler.add(name: "g", type: .gauge, value: 1, tags: [])
        sampler.add(name: "g", type: .gauge, value: 7, tags: [])
        sampler.commit(time: 100)
        let batch = sampler.flush(now: 100, force: false)
        #expect(points(batch, "g") == [7])
        #expect(batch.series.first?.type == .gauge)
        #expect(batch.series.first?.points.first?.timestamp == 100)
    }

    @Test func countSumsRun() {
        for v in [1.0, 2, 3.5] { sampler.add(name: "c", type: .count, value: v, tags: ["a:b"]) }
        sampler.commit(time: 10)
        let batch = sampler.flush(now: 10, force: false)
        #expect(points(batch, "c") == [6.5])
        #expect(batch.series.first?.type == .count)
    }

    @Test func rateIsPerSecondDifferenceOfConsecutiveRuns() {
        sampler.add(name: "r", type: .rate, value: 100, tags: [])
        sampler.commit(time: 1000)
        sampler.add(name: "r", type: .rate, value: 160, tags: [])
        sampler.commit(time: 1010)
        sampler.add(name: "r", type: .rate, value: 160, tags: [])
        sampler.commit(time: 1015)
        // A decrease is a counter reset: that interval is skipped, and the
        // next one is measured from the new baseline.
        sampler.add(name: "r", type: .rate, value: 20, tags: [])
        sampler.commit(time: 1020)
        sampler.add(name: "r", type: .rate, value: 70, tags: [])
        sampler.commit(time: 1030)
        #expect(points(sampler.flush(now: 1030, force: false), "r") == [6, 0, 5])
    }

    @Test func monotonicCountReportsDeltasAndDetectsResets() {
        for (t, v) in [(0.0, 10.0), (15, 15), (30, 15), (45, 3), (60, 10)] {
            sampler.add(name: "m", type: .monotonicCount, value: v, tags: [])
            sampler.commit(time: t)
        }
        // First run sets the baseline; 15→3 is a reset, so 3 is the increase.
        #expect(points(sampler.flush(now: 60, force: false), "m") == [5, 0, 3, 7])
    }

    @Test func monotonicCountFlushFirstValue() {
        sampler.add(name: "m", type: .monotonicCount, value: 4, tags: [], flushFirstValue: true)
        sampler.commit(time: 0)
        #expect(points(sampler.flush(now: 0, force: false), "m") == [4])
    }

    @Test func histogramPercentiles() {
        for v in (1...100).reversed() { sampler.add(name: "h", type: .histogram, value: Double(v), tags: []) }
        sampler.commit(time: 5)
        let batch = sampler.flush(now: 5, force: false)
        #expect(points(batch, "h.avg") == [50.5])
        #expect(points(batch, "h.max") == [100])
        #expect(points(batch, "h.median") == [50])
        #expect(points(batch, "h.95percentile") == [95])
        #expect(points(batch, "h.count") == [100])
    }

    @Test func contextIgnoresTagOrderAndDuplicates() {
        sampler.add(name: "g", type: .gauge, value: 1, tags: ["b:2", "a:1"])
        sampler.add(name: "g", type: .gauge, value: 2, tags: ["a:1", "b:2", "a:1"])
        sampler.add(name: "g", type: .gauge, value: 3, tags: ["a:1"])
        sampler.commit(time: 1)
        let batch = sampler.flush(now: 1, force: false)
        #expect(batch.series.count == 2)
        #expect(batch.series.first { $0.tags == ["a:1", "b:2"] }?.points.map(\.value) == [2])
        #expect(sampler.contextCount == 2)
    }

    @Test func flushHandsOverOnceAndKeepsPointsOfSeveralRuns() {
        sampler.add(name: "g", type: .gauge, value: 1, tags: [])
        sampler.commit(time: 1)
        sampler.add(name: "g", type: .gauge, value: 2, tags: [])
        sampler.commit(time: 2)
        let first = sampler.flush(now: 2, force: false)
        #expect(first.series.count == 1)
        #expect(first.series[0].points == [Point(timestamp: 1, value: 1), Point(timestamp: 2, value: 2)])
        #expect(sampler.flush(now: 3, force: false).isEmpty)
    }

    @Test func contextKeyIsOrderInsensitive() {
        #expect(ContextKey(name: "x", host: "h", tags: ["a", "b"]) == ContextKey(name: "x", host: "h", tags: ["b", "a", "b"]))
        #expect(ContextKey(name: "x", host: "h", tags: ["a"]) != ContextKey(name: "x", host: "other", tags: ["a"]))
        #expect(ContextKey(name: "x", host: "h", tags: ["a"]) != ContextKey(name: "y", host: "h", tags: ["a"]))
    }

    // MARK: series epochs (vigil_metric.series_epoch, ABI 1.1)

    @Test func rateAcrossAnEpochChangeStartsANewBaseline() {
        // A container restarts under the same id and its new counter already
        // exceeds the old one: without the epoch that would be a rate.
        for (t, v, epoch) in [(0.0, 100.0, UInt64(7)), (10, 200, 7), (20, 250, 8), (30, 450, 8)] {
            sampler.add(name: "r", type: .rate, value: v, tags: ["c:1"], epoch: epoch)
            sampler.commit(time: t)
        }
        // 100/10 s in epoch 7; nothing across 7→8; 200/10 s in epoch 8.
        #expect(points(sampler.flush(now: 30, force: false), "r") == [10, 20])
    }

    @Test func rateWithoutEpochChangeIsUnaffected() {
        // A 1.0 module's samples all carry epoch 0; a constant non-zero epoch
        // behaves the same.
        for epoch in [UInt64(0), 42] {
            let s = CheckSampler(hostname: "h")
            for (t, v) in [(0.0, 100.0), (10, 200), (20, 250)] {
                s.add(name: "r", type: .rate, value: v, tags: [], epoch: epoch)
                s.commit(time: t)
            }
            #expect(points(s.flush(now: 20, force: false), "r") == [10, 5], "epoch \(epoch)")
        }
    }

    @Test func monotonicCountAcrossAnEpochChangeStartsANewBaseline() {
        for (t, v, epoch) in [(0.0, 10.0, UInt64(1)), (15, 15, 1), (30, 40, 2), (45, 48, 2)] {
            sampler.add(name: "m", type: .monotonicCount, value: v, tags: [], epoch: epoch)
            sampler.commit(time: t)
        }
        // 5 in epoch 1; the run of the new epoch only sets its baseline (40 is
        // not a delta of anything); then 8.
        #expect(points(sampler.flush(now: 45, force: false), "m") == [5, 8])
    }

    @Test func monotonicCountFlushFirstValueReportsTheFirstValueOfANewEpoch() {
        for (t, v, epoch) in [(0.0, 4.0, UInt64(1)), (15, 9, 1), (30, 12, 2)] {
            sampler.add(name: "m", type: .monotonicCount, value: v, tags: [], flushFirstValue: true, epoch: epoch)
            sampler.commit(time: t)
        }
        // The first value of each epoch counts from zero: 12, not 12 - 9.
        #expect(points(sampler.flush(now: 30, force: false), "m") == [4, 5, 12])
    }

    @Test func epochIsPerContext() {
        // Two containers' counters: only the one whose epoch changed loses its baseline.
        for (t, a, b, epochB) in [(0.0, 0.0, 0.0, UInt64(1)), (10, 50, 70, 2), (20, 100, 90, 2)] {
            sampler.add(name: "r", type: .rate, value: a, tags: ["c:a"], epoch: 1)
            sampler.add(name: "r", type: .rate, value: b, tags: ["c:b"], epoch: epochB)
            sampler.commit(time: t)
        }
        let batch = sampler.flush(now: 20, force: false)
        #expect(batch.series.first { $0.tags == ["c:a"] }?.points.map(\.value) == [5, 5])
        #expect(batch.series.first { $0.tags == ["c:b"] }?.points.map(\.value) == [2])
    }

    @Test func epochChangeBackAndForthIsEachANewBaseline() {
        for (t, v, epoch) in [(0.0, 0.0, UInt64(1)), (10, 10, 2), (20, 20, 1), (30, 60, 1)] {
            sampler.add(name: "r", type: .rate, value: v, tags: [], epoch: epoch)
            sampler.commit(time: t)
        }
        // 1→2 and 2→1 both reset: returning to an old epoch is no continuation.
        #expect(points(sampler.flush(now: 30, force: false), "r") == [4])
    }

    @Test func gaugesCountsAndHistogramsIgnoreTheEpoch() {
        for (t, epoch) in [(0.0, UInt64(1)), (10, 2)] {
            sampler.add(name: "g", type: .gauge, value: 3, tags: [], epoch: epoch)
            sampler.add(name: "c", type: .count, value: 2, tags: [], epoch: epoch)
            sampler.add(name: "h", type: .histogram, value: 5, tags: [], epoch: epoch)
            sampler.commit(time: t)
        }
        let batch = sampler.flush(now: 10, force: false)
        #expect(points(batch, "g") == [3, 3])
        #expect(points(batch, "c") == [2, 2])
        #expect(points(batch, "h.max") == [5, 5])
    }
}
