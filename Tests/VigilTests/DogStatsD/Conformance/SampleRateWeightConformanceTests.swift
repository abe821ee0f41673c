import Testing
import VigilModel
@testable import VigilDogStatsD

/// Issue 14, item 8. The reference weighs a histogram or timer sample sent
/// at rate r by `int64(1 / r)` (truncated) in its count, average and
/// percentiles (pkg/metrics/histogram.go), and a distribution sample by
/// `uint(1 / r)` in its sketch's bins and count, while the sketch's sum
/// takes 1 / r unrounded (pkg/quantile `Agent.Insert`, `Summary.InsertN`).
/// Counts scale by 1 / r unrounded.
@Suite struct SampleRateWeightConformanceTests {
    @Test func histogramWeightIsTruncated() throws {
        // 10 at @0.3 weighs 3 (1 ÷ 0.3 = 3.33), 20 weighs 1: four samples.
        let batch = Conformance.flush(try makeOfflineServer(), "h:10|h|@0.3\nh:20|h")
        #expect(batch.value("h.count") == 0.4)
        #expect(batch.value("h.avg") == 12.5)  // (3×10 + 20) ÷ 4
        #expect(batch.value("h.median") == 10)
        #expect(batch.value("h.95percentile") == 20)
        #expect(batch.value("h.max") == 20)
    }

    @Test func rateAboveOneHalfWeighsOne() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "t:1|ms|@0.7\nt:3|ms|@0.9")
        #expect(batch.value("t.count") == 0.2)
        #expect(batch.value("t.avg") == 2)
    }

    @Test func distributionCountIsTruncatedSumIsNot() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "d:10|d|@0.3\nd:5|d")
        let point = try #require(batch.sketches.first { $0.name == "d" }?.points.first)
        #expect(point.count == 4)
        #expect(point.binCounts.reduce(0, +) == 4)
        #expect(abs(point.sum - (10 / 0.3 + 5)) < 1e-9)
        #expect(point.average == 8.75)  // (3×10 + 5) ÷ 4
        #expect(point.min == 5 && point.max == 10)
    }

    @Test func countScalesUnrounded() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "c:1|c|@0.3")
        let value = try #require(batch.value("c"))
        #expect(abs(value - 1 / 0.3 / 10) < 1e-12)
    }
}
