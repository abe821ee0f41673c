/// What one plot draws: its lines, each one stored metric filtered by tags
/// and scaled for display. Every plot the console offers is one of these.
public struct PlotSpec: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var label: String
        public var metric: String
        public var tags: [String]
        public var scale: Double = 1
        /// Values at or above this are "no limit" markers (cgroup v1's
        /// 2^63 memory limit), dropped so they do not flatten the plot.
        public var ceiling: Double = .infinity
    }

    public var title: String
    public var unit: String
    public var lines: [Line]

    /// CPU in cores: usage, the time the kernel throttled it, and its limit.
    public static func containerCPU(id: String) -> PlotSpec {
        let tag = ["container_id:\(id)"]
        return PlotSpec(title: "CPU", unit: "cores", lines: [
            Line(label: "usage", metric: "container.cpu.usage", tags: tag, scale: 1e-9),
            Line(label: "throttled", metric: "container.cpu.throttled", tags: tag, scale: 1e-9),
            Line(label: "limit", metric: "container.cpu.limit", tags: tag, scale: 1e-9),
        ])
    }

    /// Memory in MiB: usage, working set and the limit (when there is one).
    public static func containerMemory(id: String) -> PlotSpec {
        let tag = ["container_id:\(id)"]
        let mib = 1.0 / 1_048_576
        return PlotSpec(title: "Memory", unit: "MiB", lines: [
            Line(label: "usage", metric: "container.memory.usage", tags: tag, scale: mib),
            Line(label: "working set", metric: "container.memory.working_set", tags: tag, scale: mib),
            Line(label: "limit", metric: "container.memory.limit", tags: tag, scale: mib, ceiling: 1_125_899_906_842_624),
        ])
    }

    /// The percentiles the console draws for a distribution.
    public static let percentiles = ["p50", "p95", "p99"]

    /// One metric in the explorer; a distribution (stored as `NAME.p50`, …)
    /// becomes its p50, p95 and p99 lines.
    public static func metric(_ name: String, tags: [String], isDistribution: Bool) -> PlotSpec {
        if isDistribution {
            return PlotSpec(title: name, unit: "", lines: percentiles.map {
                Line(label: $0, metric: "\(name).\($0)", tags: tags)
            })
        }
        return PlotSpec(title: name, unit: "", lines: [Line(label: name, metric: name, tags: tags)])
    }
}
