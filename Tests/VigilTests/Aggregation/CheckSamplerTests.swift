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
}
