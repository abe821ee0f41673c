/// Something the scheduler runs every `interval` seconds on a runner thread.
public protocol SchedulableCheck: AnyObject, Sendable {
    /// Unique per instance, e.g. "cgroup:3f2a...".
    var instanceID: String { get }
    var checkName: String { get }
    /// Seconds between the starts of two runs.
    var interval: Double { get }
    /// One run; blocks the runner thread until done.
    func run() -> CheckRunResult
}

public struct CheckRunResult: Sendable {
    public var error: String?
    public var warnings: [String]
    public var metricSamples: Int

    public init(error: String? = nil, warnings: [String] = [], metricSamples: Int = 0) {
        self.error = error
        self.warnings = warnings
        self.metricSamples = metricSamples
    }
}
