import Foundation

/// Local autoscaling recommendations: pure functions of usage, requests and
/// a DatadogPodAutoscaler's objective and constraints. Vigil computes them
/// on the node; it never writes a DPA.
public enum Recommender {
    /// One pod of the target: its resource request and, when known, its
    /// average usage over the window (same unit: cores or bytes).
    public struct PodSample: Sendable, Equatable {
        public var request: Double
        public var usage: Double?

        public init(request: Double, usage: Double?) {
            self.request = request
            self.usage = usage
        }
    }

    public struct Horizontal: Sendable, Equatable {
        /// The recommended replica count, within min/max.
        public var replicas: Int
        /// The utilization the decision used (fraction: 0.8 is 80 %), nil without any data.
        public var utilization: Double?
        /// "scale_up", "scale_down", "within_watermarks", "no_data".
        public var reason: String

        public init(replicas: Int, utilization: Double?, reason: String) {
            self.replicas = replicas
            self.utilization = utilization
            self.reason = reason
        }
    }

    /// The watermarks are the target ± 5 percentage points.
    public static let watermarkPoints = 5.0

    /// The reference's local horizontal rule for a utilization objective of
    /// `targetPercent`: utilization = average of usage ÷ request over the
    /// pods; above the high watermark, `ceil(util/high × current)`; below
    /// the low one, `max(floor(util/low × current), 1)`; between them the
    /// current count. A pod without data counts as 0 % when deciding to
    /// scale up and as 100 % when deciding to scale down, so missing data
    /// never makes the change larger. The result is clamped to
    /// `minReplicas`...`maxReplicas`. `current` is the target's replica count.
    public static func horizontal(pods: [PodSample], current: Int, targetPercent: Double,
                                  minReplicas: Int? = nil, maxReplicas: Int? = nil) -> Horizontal {
        let high = (targetPercent + watermarkPoints) / 100
        let low = max(targetPercent - watermarkPoints, 0) / 100
        let known = pods.compactMap { pod -> Double? in
            guard let usage = pod.usage, pod.request > 0 else { return nil }
            return usage / pod.request
        }
        let missing = pods.count - known.count
        func clamp(_ n: Int) -> Int {
            var n = n
            if let maxReplicas { n = min(n, maxReplicas) }
            if let minReplicas { n = max(n, minReplicas) }
            return n
        }
        guard !known.isEmpty, current > 0 else {
            return Horizontal(replicas: clamp(current), utilization: nil, reason: "no_data")
        }
        let sum = known.reduce(0, +)
        let average = sum / Double(known.count)
        if average > high {
            let util = sum / Double(known.count + missing)  // missing pods at 0 %
            if util > high {
                return Horizontal(replicas: clamp(Int((util / high * Double(current)).rounded(.up))), utilization: util, reason: "scale_up")
            }
            return Horizontal(replicas: clamp(current), utilization: util, reason: "within_watermarks")
        }
        if average < low {
            let util = (sum + Double(missing)) / Double(known.count + missing)  // missing pods at 100 %
            if util < low {
                let n = low > 0 ? Int((util / low * Double(current)).rounded(.down)) : current
                return Horizontal(replicas: clamp(max(n, 1)), utilization: util, reason: "scale_down")
            }
            return Horizontal(replicas: clamp(current), utilization: util, reason: "within_watermarks")
        }
        return Horizontal(replicas: clamp(current), utilization: average, reason: "within_watermarks")
    }

    /// The `percentile` (0...100) of `samples`, by the nearest-rank method; nil when empty.
    public static func percentile(_ samples: [Double], _ percentile: Double) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let rank = Int((percentile / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// A vertical recommendation for one container's request: the
    /// `percentile` of its usage samples (every pod of the target), within the
    /// DPA's constraint `minAllowed`...`maxAllowed`. Nil without samples.
    public static func vertical(usage samples: [Double], percentile p: Double = 95,
                                minAllowed: Double? = nil, maxAllowed: Double? = nil) -> Double? {
        guard var value = percentile(samples, p) else { return nil }
        if let maxAllowed { value = min(value, maxAllowed) }
        if let minAllowed { value = max(value, minAllowed) }
        return value
    }
}
