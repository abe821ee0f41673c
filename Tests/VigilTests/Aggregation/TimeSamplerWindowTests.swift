import Testing
import VigilModel
@testable import VigilAggregation

/// The sampler's window bookkeeping: two in-place windows per context, the
/// side list for older windows, and contexts leaving and coming back.
@Suite struct TimeSamplerWindowTests {
    let t0 = 1_700_000_000.0  // a window boundary

    func context(_ name: String) -> (key: ContextKey, make: () -> (name: String, tags: [String], host: String)) {
        (ContextKey(name: name, host: "h", tags: []), { (name, [], "h") })
    }

    func values(_ batch: FlushBatch, _ name: String) -> [Int64: Double] {
        Dictionary(uniqueKeysWithValues: batch.series.filter { $0.name == name }.map { ($0.points[0].timestamp, $0.points[0].value) })
    }

    @Test func windowsThatWaitForAFlushKeepTheirOwnSamples() {
        let sampler = TimeSampler(interval: 10, counterExpirySeconds: 0)
        let c = context("g")
        // Four windows in a row with no flush: two share each parity slot,
        // so the older two must move aside rather than be overwritten.
        for (i, v) in [1.0, 2, 3, 4].enumerated() {
            sampler.add(key: c.key, type: .gauge, value: v, sampleRate: 1, time: t0 + Double(10 * i) + 1, makeContext: c.make)
        }
        // A sample for the first window arriving last still lands in it.
        sampler.add(key: c.key, type: .gauge, value: 9, sampleRate: 1, time: t0 + 2, makeContext: c.make)
        let out = values(sampler.flush(now: t0 + 40, force: false), "g")
        #expect(out == [Int64(t0): 9, Int64(t0) + 10: 2, Int64(t0) + 20: 3, Int64(t0) + 30: 4])
        #expect(sampler.flush(now: t0 + 100, force: true).series.isEmpty)
    }

    @Test func lateHistogramSamplesKeepTheirValues() {
        let sampler = TimeSampler(interval: 10, counterExpirySeconds: 0)
        let c = context("lat")
        for i in 0..<3 {
            sampler.add(key: c.key, type: .histogram, value: Double(i + 1) * 10, sampleRate: 1,
                        time: t0 + Double(10 * i), makeContext: c.make)
        }
        sampler.add(key: c.key, type: .histogram, value: 30, sampleRate: 1, time: t0 + 5, makeContext: c.make)
        let batch = sampler.flush(now: t0 + 30, force: false)
        #expect(values(batch, "lat.max") == [Int64(t0): 30, Int64(t0) + 10: 20, Int64(t0) + 20: 30])
        #expect(values(batch, "lat.avg")[Int64(t0)] == 20)
    }

    @Test func expiredContextsLeaveAndCanReturn() {
        let sampler = TimeSampler(interval: 10, counterExpirySeconds: 20)
        let a = context("a"), b = context("b"), c = context("c")
        sampler.add(key: a.key, type: .count, value: 1, sampleRate: 1, time: t0, makeContext: a.make)
        sampler.add(key: b.key, type: .gauge, value: 1, sampleRate: 1, time: t0, makeContext: b.make)
        _ = sampler.flush(now: t0 + 10, force: false)
        #expect(sampler.contextCount == 2)
        sampler.add(key: c.key, type: .gauge, value: 7, sampleRate: 1, time: t0 + 50, makeContext: c.make)
        _ = sampler.flush(now: t0 + 60, force: false)
        // a and b are gone; c, added after them, is still found under its key.
        #expect(sampler.contextCount == 1)
        sampler.add(key: c.key, type: .gauge, value: 8, sampleRate: 1, time: t0 + 60, makeContext: c.make)
        sampler.add(key: a.key, type: .count, value: 30, sampleRate: 1, time: t0 + 60, makeContext: a.make)
        #expect(sampler.contextCount == 2)
        let batch = sampler.flush(now: t0 + 70, force: false)
        #expect(values(batch, "c") == [Int64(t0) + 60: 8])
        #expect(values(batch, "a") == [Int64(t0) + 60: 3])
    }

    @Test func manyContextsEachKeepTheirOwnValue() {
        let sampler = TimeSampler(interval: 10, counterExpirySeconds: 300)
        for i in 0..<20_000 {
            let c = context("m\(i)")
            sampler.add(key: c.key, type: .count, value: Double(i), sampleRate: 1, time: t0, makeContext: c.make)
        }
        let batch = sampler.flush(now: t0 + 10, force: false)
        #expect(batch.series.count == 20_000)
        #expect(batch.series.allSatisfy { $0.points[0].value * 10 == Double($0.name.dropFirst())! })
    }

    @Test func aTypeChangeStartsTheWindowOver() {
        let sampler = TimeSampler(interval: 10, counterExpirySeconds: 0)
        let c = context("x")
        sampler.add(key: c.key, type: .count, value: 5, sampleRate: 1, time: t0, makeContext: c.make)
        sampler.add(key: c.key, type: .gauge, value: 2, sampleRate: 1, time: t0 + 1, makeContext: c.make)
        let out = sampler.flush(now: t0 + 10, force: false).series
        #expect(out.count == 1)
        #expect(out.first?.type == .gauge)
        #expect(out.first?.points.first?.value == 2)
    }
    /// A flush holds the aggregator only for `collect`; samples that arrive
    /// before `build` runs go to the next flush and cannot change this one,
    /// and recycled histogram buffers start empty.
    @Test func samplesBetweenCollectAndBuildWaitForTheNextFlush() {
        let sampler = TimeSampler(interval: 10, counterExpirySeconds: 0)
        let h = context("lat")
        let g = context("g")
        for v in [1.0, 2, 3, 4] {
            sampler.add(key: h.key, type: .histogram, value: v, sampleRate: 1, time: t0 + 1, makeContext: h.make)
        }
        sampler.add(key: g.key, type: .gauge, value: 7, sampleRate: 1, time: t0 + 1, makeContext: g.make)
        var closed = sampler.collect(now: t0 + 10, force: false)
        #expect(closed.count == 2)
        // Meanwhile (the lock is free again) the next window fills up.
        for v in [100.0, 200] {
            sampler.add(key: h.key, type: .histogram, value: v, sampleRate: 1, time: t0 + 11, makeContext: h.make)
        }
        let first = closed.build()
        sampler.recycle(&closed)
        #expect(values(first, "lat.max") == [Int64(t0): 4])
        #expect(values(first, "lat.avg") == [Int64(t0): 2.5])
        #expect(values(first, "g") == [Int64(t0): 7])

        // The window after that reuses a recycled buffer: only its own values count.
        sampler.add(key: h.key, type: .histogram, value: 50, sampleRate: 1, time: t0 + 21, makeContext: h.make)
        let second = sampler.flush(now: t0 + 30, force: false)
        #expect(values(second, "lat.max") == [Int64(t0) + 10: 200, Int64(t0) + 20: 50])
        #expect(values(second, "lat.median") == [Int64(t0) + 10: 100, Int64(t0) + 20: 50])
        #expect(values(second, "lat.count") == [Int64(t0) + 10: 0.2, Int64(t0) + 20: 0.1])
    }
}
