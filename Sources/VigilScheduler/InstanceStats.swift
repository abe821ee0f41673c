import VigilModel

/// What `vigil status` shows for one check instance.
public struct InstanceStats: Sendable {
    public var checkName: String
    public var interval: Double
    public var runs = 0
    public var errors = 0
    public var warnings = 0
    /// Runs not started because the previous one was still going.
    public var skipped = 0
    public var lastDurationNanos: UInt64 = 0
    public var totalDurationNanos: UInt64 = 0
    public var lastMetricSamples = 0
    public var totalMetricSamples = 0
    public var lastError: String?
    public var lastWarnings: [String] = []
    /// Unix seconds of the last run's end.
    public var lastRunAt: Double = 0

    public init(checkName: String, interval: Double) {
        self.checkName = checkName
        self.interval = interval
    }

    public var averageDurationNanos: UInt64 { runs == 0 ? 0 : totalDurationNanos / UInt64(runs) }

    mutating func record(_ result: CheckRunResult, duration: UInt64, at time: Double) {
        runs += 1
        if result.error != nil { errors += 1 }
        warnings += result.warnings.count
        lastDurationNanos = duration
        totalDurationNanos += duration
        lastMetricSamples = result.metricSamples
        totalMetricSamples += result.metricSamples
        lastError = result.error
        lastWarnings = result.warnings
        lastRunAt = time
    }

    public var json: JSONValue {
        .object([
            ("check", .string(checkName)),
            ("interval_seconds", .double(interval)),
            ("runs", .int(Int64(runs))),
            ("errors", .int(Int64(errors))),
            ("warnings", .int(Int64(warnings))),
            ("skipped", .int(Int64(skipped))),
            ("last_duration_ms", .double(Double(lastDurationNanos) / 1e6)),
            ("average_duration_ms", .double(Double(averageDurationNanos) / 1e6)),
            ("metric_samples_last_run", .int(Int64(lastMetricSamples))),
            ("metric_samples_total", .int(Int64(totalMetricSamples))),
            ("last_error", lastError.map { .string($0) } ?? .null),
            ("last_run", .double(lastRunAt)),
        ])
    }
}
