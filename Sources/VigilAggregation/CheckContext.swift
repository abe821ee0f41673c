import VigilModel

/// Accumulated state of one context in a check sampler. Rates and monotonic
/// counts keep their previous run's value across commits, within one series
/// epoch: a sample of another epoch (a counter that restarted with a new
/// container, a new network namespace) drops the baseline, so the next run
/// computes nothing across the change and starts over.
struct CheckContext {
    let name: String
    let tags: [String]
    let host: String
    var type: CheckMetricType
    var flushFirstValue: Bool

    /// Value in the current run: last (gauge, rate, monotonic) or sum (count).
    var current: Double = 0
    var sampledThisRun = false
    var histogramValues: [Double] = []
    /// Previous run's value and time, for rate and monotonic_count.
    var previous: Double?
    var previousTime: Double = 0
    /// When it was last sampled, for expiry.
    var lastSeen: Double = 0
    /// Series epoch of the latest sample (`vigil_metric.series_epoch`).
    var epoch: UInt64

    init(name: String, tags: [String], host: String, type: CheckMetricType, flushFirstValue: Bool, epoch: UInt64 = 0) {
        self.name = name
        self.tags = tags
        self.host = host
        self.type = type
        self.flushFirstValue = flushFirstValue
        self.epoch = epoch
    }

    mutating func add(_ value: Double, epoch: UInt64 = 0) {
        if epoch != self.epoch {
            // A new counter: what the previous run saw is no baseline for it.
            self.epoch = epoch
            previous = nil
        }
        switch type {
        case .count: current = sampledThisRun ? current + value : value
        case .histogram: histogramValues.append(value)
        case .gauge, .rate, .monotonicCount: current = value
        }
        sampledThisRun = true
    }

    /// Turns the run's samples into points at `time`; resets per-run state.
    mutating func commit(time: Double, into output: (String, SeriesType, Double) -> Void) {
        guard sampledThisRun else { return }
        sampledThisRun = false
        lastSeen = time
        switch type {
        case .gauge:
            output(name, .gauge, current)
        case .count:
            output(name, .count, current)
        case .rate:
            // A decrease means the counter restarted: skip that interval.
            if let previous, time > previousTime, current >= previous {
                output(name, .gauge, (current - previous) / (time - previousTime))
            }
            previous = current
            previousTime = time
        case .monotonicCount:
            if let previous {
                // After a reset the counter restarted from zero, so its whole
                // current value is the increase since then.
                output(name, .count, current >= previous ? current - previous : current)
            } else if flushFirstValue {
                output(name, .count, current)
            }
            previous = current
            previousTime = time
        case .histogram:
            if let s = Percentiles.summary(&histogramValues) {
                output(name + ".avg", .gauge, s.average)
                output(name + ".max", .gauge, s.max)
                output(name + ".median", .gauge, s.median)
                output(name + ".95percentile", .gauge, s.p95)
                output(name + ".count", .count, Double(s.count))
            }
            histogramValues.removeAll(keepingCapacity: true)
        }
    }
}
