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
    /// Runs that passed `module_run_timeout` (each also counted in `errors`).
    public var timeouts = 0
    /// Where the instance is now; filled in by the scheduler when asked.
    public var state: State = .idle
    /// Seconds the current run has been going, when one is.
    public var runningSeconds: Double?

    public enum State: String, Sendable {
        case idle
        /// Due and waiting for a runner.
        case queued
        case running
        /// Running past its interval: its next runs are skipped.
        case overrunning
        /// Running past `module_run_timeout`: counted failed, abandoned until it returns.
        case hung
    }

    public init(checkName: String, interval: Double) {
        self.checkName = checkName
        self.interval = interval
    }

    public var averageDurationNanos: UInt64 { runs == 0 ? 0 : totalDurationNanos / UInt64(runs) }

    mutating func record(_ result: CheckRunResult, duration: UInt64, at time: Double, alreadyFailed: Bool = false) {
        runs += 1
        if result.error != nil, !alreadyFailed { errors += 1 }
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
            ("state", .string(state.rawValue)),
            ("running_for_seconds", runningSeconds.map { .double(($0 * 10).rounded() / 10) } ?? .null),
            ("skipped", .int(Int64(skipped))),
            ("timeouts", .int(Int64(timeouts))),
            ("last_duration_ms", .double(Double(lastDurationNanos) / 1e6)),
            ("average_duration_ms", .double(Double(averageDurationNanos) / 1e6)),
            ("metric_samples_last_run", .int(Int64(lastMetricSamples))),
            ("metric_samples_total", .int(Int64(totalMetricSamples))),
            ("last_error", lastError.map { .string($0) } ?? .null),
            ("last_run", .double(lastRunAt)),
        ])
    }
}
