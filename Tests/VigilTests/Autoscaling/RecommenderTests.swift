import AutoscalingRecommender
import Testing

/// Recommendations on known inputs against values computed by hand.
/// Target 70 % utilization: watermarks 65 % and 75 %.
@Suite struct RecommenderTests {
    typealias P = Recommender.PodSample

    func pods(_ usages: [Double?], request: Double = 1) -> [P] { usages.map { P(request: request, usage: $0) } }

    @Test func aboveTheHighWatermarkScalesUp() {
        // 0.9 / 0.75 × 4 = 4.8 → 5
        let r = Recommender.horizontal(pods: pods([0.9, 0.9, 0.9, 0.9]), current: 4, targetPercent: 70)
        #expect(r.replicas == 5)
        #expect(r.reason == "scale_up")
        #expect(abs(r.utilization! - 0.9) < 1e-12)
    }

    @Test func belowTheLowWatermarkScalesDownToAtLeastOne() {
        // floor(0.3 / 0.65 × 4) = floor(1.846) = 1
        #expect(Recommender.horizontal(pods: pods([0.3, 0.3, 0.3, 0.3]), current: 4, targetPercent: 70).replicas == 1)
        // floor(0.5 / 0.65 × 10) = floor(7.69) = 7
        #expect(Recommender.horizontal(pods: pods(Array(repeating: 0.5, count: 10)), current: 10, targetPercent: 70).replicas == 7)
        // floor(0.01 / 0.65 × 4) = 0 → 1
        #expect(Recommender.horizontal(pods: pods([0.01, 0.01, 0.01, 0.01]), current: 4, targetPercent: 70).replicas == 1)
    }

    @Test func betweenTheWatermarksKeepsTheCount() {
        let r = Recommender.horizontal(pods: pods([0.7, 0.72, 0.68]), current: 3, targetPercent: 70)
        #expect(r.replicas == 3)
        #expect(r.reason == "within_watermarks")
        // Utilization is usage ÷ request per pod: 0.5/0.5 = 100 %, 0.5/1 = 50 %, average 75 %: not above 75 %.
        let mixed = [P(request: 0.5, usage: 0.5), P(request: 1, usage: 0.5)]
        #expect(Recommender.horizontal(pods: mixed, current: 2, targetPercent: 70).replicas == 2)
    }

    @Test func missingDataCountsAsZeroWhenScalingUp() {
        // Known average 100 % > 75 %; with the missing pod at 0 %: 3/4 = 75 %, not above: no change.
        let held = Recommender.horizontal(pods: pods([1, 1, 1, nil]), current: 4, targetPercent: 70)
        #expect(held.replicas == 4)
        #expect(held.reason == "within_watermarks")
        // (1.2 + 1.2 + 0) / 3 = 0.8 > 0.75: ceil(0.8 / 0.75 × 3) = ceil(3.2) = 4
        #expect(Recommender.horizontal(pods: pods([1.2, 1.2, nil]), current: 3, targetPercent: 70).replicas == 4)
    }

    @Test func missingDataCountsAsFullWhenScalingDown() {
        // (0.1 + 0.1 + 1) / 3 = 0.4 < 0.65: floor(0.4 / 0.65 × 3) = floor(1.85) = 1
        #expect(Recommender.horizontal(pods: pods([0.1, 0.1, nil]), current: 3, targetPercent: 70).replicas == 1)
        // (0.6 + 1) / 2 = 0.8: not below 65 %: no change, although the known pod alone is at 60 %.
        let held = Recommender.horizontal(pods: pods([0.6, nil]), current: 2, targetPercent: 70)
        #expect(held.replicas == 2)
        #expect(held.reason == "within_watermarks")
    }

    @Test func constraintsBoundTheCount() {
        #expect(Recommender.horizontal(pods: pods([0.9, 0.9, 0.9, 0.9]), current: 4, targetPercent: 70, maxReplicas: 4).replicas == 4)
        #expect(Recommender.horizontal(pods: pods([0.3, 0.3, 0.3, 0.3]), current: 4, targetPercent: 70, minReplicas: 2).replicas == 2)
    }

    @Test func withoutDataTheCountStays() {
        let r = Recommender.horizontal(pods: pods([nil, nil]), current: 2, targetPercent: 70)
        #expect(r == .init(replicas: 2, utilization: nil, reason: "no_data"))
    }

    @Test func verticalIsAHighPercentileWithinTheConstraints() {
        let samples = (1...10).map { Double($0) / 10 }
        // Nearest rank: p95 of 10 samples is the 10th, p50 the 5th.
        #expect(Recommender.percentile(samples, 95) == 1.0)
        #expect(Recommender.percentile(samples, 50) == 0.5)
        #expect(Recommender.vertical(usage: samples) == 1.0)
        #expect(Recommender.vertical(usage: samples, maxAllowed: 0.8) == 0.8)
        #expect(Recommender.vertical(usage: [0.01, 0.02], minAllowed: 0.1) == 0.1)
        #expect(Recommender.vertical(usage: []) == nil)
    }
}
