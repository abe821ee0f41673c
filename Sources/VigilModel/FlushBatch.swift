/// Everything one flush produced, handed from aggregation to forwarding.
public struct FlushBatch: Sendable {
    public var series: [Series]
    public var sketches: [SketchSeries]
    public var serviceChecks: [ServiceCheck]
    public var events: [Event]

    public init(series: [Series] = [], sketches: [SketchSeries] = [],
                serviceChecks: [ServiceCheck] = [], events: [Event] = []) {
        self.series = series
        self.sketches = sketches
        self.serviceChecks = serviceChecks
        self.events = events
    }

    public var isEmpty: Bool {
        series.isEmpty && sketches.isEmpty && serviceChecks.isEmpty && events.isEmpty
    }

    public mutating func append(_ other: FlushBatch) {
        series += other.series
        sketches += other.sketches
        serviceChecks += other.serviceChecks
        events += other.events
    }
}

/// Where flushed data goes. `consume` must not block: a sink queues the batch
/// (bounded, counting what it drops) and works on it elsewhere.
public protocol FlushSink: Sendable {
    func consume(_ batch: FlushBatch)
}

/// Something that accumulates samples and hands them over at flush time:
/// the check sampler, the DogStatsD aggregator.
public protocol FlushSource: Sendable {
    /// Returns what is ready at `now` (unix seconds). With `force`, returns
    /// everything still pending, complete or not (shutdown).
    func flush(now: Double, force: Bool) -> FlushBatch
}
