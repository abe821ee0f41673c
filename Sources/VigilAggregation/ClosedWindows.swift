import VigilModel

/// A flush taken in two steps. `TimeSampler.collect` runs under the
/// aggregator's lock and only copies out plain values and moves out
/// histogram buffers; `build` then sorts percentiles and makes the series
/// after the lock is released, so a flush of many contexts pauses the
/// intake for the copy, not for the whole build. `TimeSampler.recycle`
/// takes the emptied buffers back so steady-state windows allocate nothing.
public struct ClosedWindows: Sendable {
    /// One context's closed window.
    struct Closed: Sendable {
        var context: TimeSamplerContext
        var start: Int64
        var type: DogStatsDMetricType
        /// Gauge: last value. Count: sum of value ÷ rate. Set: distinct
        /// members. Histogram/timer: count weighted by sample rate.
        var value: Double
        /// Histogram/timer samples and their weights (empty: all 1), moved out of the sampler.
        var values: [Double] = []
        var weights: [Double] = []
        /// Distribution: the point, made under the lock (bins are few).
        var sketch: SketchPoint?
    }

    let interval: Int64
    var closed: [Closed] = []
    /// `|T` samples, already series.
    var timestamped: [Series] = []
    /// Buffers emptied by `build`, for `TimeSampler.recycle`.
    var spareBuffers: [[Double]] = []

    /// Number of closed context windows (tests, benchmarks).
    public var count: Int { closed.count }

    /// The series and sketches of the closed windows. Call once.
    public mutating func build() -> FlushBatch {
        var batch = FlushBatch()
        batch.series = timestamped
        batch.series.reserveCapacity(timestamped.count + closed.count)
        let seconds = Double(interval)
        for i in closed.indices {
            // Take the buffers out first, so sorting them does not copy them.
            var values: [Double] = []
            var weights: [Double] = []
            swap(&values, &closed[i].values)
            swap(&weights, &closed[i].weights)
            let c = closed[i]
            func series(_ suffix: String, _ type: SeriesType, _ value: Double) -> Series {
                Series(name: suffix.isEmpty ? c.context.name : c.context.name + suffix, type: type,
                       points: [Point(timestamp: c.start, value: value)], tags: c.context.tags, host: c.context.host,
                       interval: interval)
            }
            switch c.type {
            case .gauge, .set:
                batch.series.append(series("", .gauge, c.value))
            case .count:
                batch.series.append(series("", .rate, c.value / seconds))
            case .histogram, .timer:
                let summary = Percentiles.summary(&values, weights: weights)
                spareBuffers.append(values)
                if !weights.isEmpty { spareBuffers.append(weights) }
                guard let summary else { continue }
                batch.series.append(series(".avg", .gauge, summary.average))
                batch.series.append(series(".max", .gauge, summary.max))
                batch.series.append(series(".median", .gauge, summary.median))
                batch.series.append(series(".95percentile", .gauge, summary.p95))
                batch.series.append(series(".count", .rate, c.value / seconds))
            case .distribution:
                guard let point = c.sketch else { continue }
                batch.sketches.append(SketchSeries(name: c.context.name, tags: c.context.tags, host: c.context.host,
                                                   interval: interval, points: [point]))
            }
        }
        closed.removeAll(keepingCapacity: true)
        timestamped.removeAll()
        return batch
    }
}
