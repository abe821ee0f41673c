import VigilModel

/// DogStatsD aggregation: samples fall into 10-second buckets by arrival
/// time; a bucket is flushed once it is complete. Counts become rates
/// (sum ÷ interval), gauges keep their last value, sets their number of
/// distinct members, histograms and timers a summary, distributions a
/// sketch. A counter keeps reporting 0 for `counterExpirySeconds` after its
/// last sample so that graphs fall to zero instead of stopping.
///
/// Not thread-safe: the DogStatsD server serialises access, taking its lock
/// once per packet rather than once per sample.
public final class TimeSampler: @unchecked Sendable {
    public let interval: Int64
    public let counterExpirySeconds: Int64
    private var contexts: [ContextKey: TimeSamplerContext] = [:]
    private var buckets: [Int64: Bucket] = [:]
    /// `|T` samples: they keep their own timestamp and skip aggregation.
    private var timestamped: [Series] = []
    /// The last bucket start handed out, so counters can be zero-filled for
    /// windows that received nothing at all.
    private var lastFlushedBucket: Int64?
    /// Capacity hint for new buckets: the size of the previous one.
    private var lastBucketSize = 64

    public init(interval: Int64 = 10, counterExpirySeconds: Int64 = 300) {
        self.interval = interval
        self.counterExpirySeconds = counterExpirySeconds
    }

    public var contextCount: Int { contexts.count }

    @inline(__always)
    func bucketStart(_ time: Double) -> Int64 {
        let t = Int64(time.rounded(.down))
        return t - ((t % interval) + interval) % interval
    }

    /// Adds one sample of a numeric type. `makeContext` runs only for a
    /// context not seen before, so steady-state samples build no strings.
    @inline(__always)
    public func add(key: ContextKey, type: DogStatsDMetricType, value: Double, sampleRate: Double, time: Double,
                    makeContext: () -> (name: String, tags: [String], host: String)) {
        let start = bucketStart(time)
        touch(key: key, type: type, bucket: start, makeContext: makeContext)
        if buckets[start] == nil { buckets[start] = Bucket(start: start, expectedContexts: lastBucketSize) }
        buckets[start]!.add(key: key, type: type, value: value, sampleRate: sampleRate)
    }

    /// Adds one member (already hashed) of a set.
    @inline(__always)
    public func addSetMember(key: ContextKey, memberHash: UInt64, time: Double,
                             makeContext: () -> (name: String, tags: [String], host: String)) {
        let start = bucketStart(time)
        touch(key: key, type: .set, bucket: start, makeContext: makeContext)
        if buckets[start] == nil { buckets[start] = Bucket(start: start, expectedContexts: lastBucketSize) }
        buckets[start]!.addMember(key: key, hash: memberHash)
    }

    /// A sample with its own timestamp (`|T`): gauges stay gauges, counts go
    /// out as counts of exactly what was sent.
    public func addTimestamped(name: String, tags: [String], host: String, type: DogStatsDMetricType,
                               value: Double, sampleRate: Double, timestamp: Int64) {
        let seriesType: SeriesType = type == .count ? .count : .gauge
        let v = type == .count ? value / sampleRate : value
        timestamped.append(Series(name: name, type: seriesType, points: [Point(timestamp: timestamp, value: v)],
                                  tags: tags, host: host, interval: type == .count ? interval : 0))
    }

    @inline(__always)
    private func touch(key: ContextKey, type: DogStatsDMetricType, bucket: Int64,
                       makeContext: () -> (name: String, tags: [String], host: String)) {
        if contexts[key] != nil {
            contexts[key]!.lastBucket = Swift.max(contexts[key]!.lastBucket, bucket)
            if contexts[key]!.type != type { contexts[key]!.type = type }
            return
        }
        let parts = makeContext()
        contexts[key] = TimeSamplerContext(name: parts.name, tags: parts.tags, host: parts.host, type: type,
                                           lastBucket: bucket)
    }

    /// Everything complete at `now`; with `force`, every bucket.
    public func flush(now: Double, force: Bool) -> FlushBatch {
        var batch = FlushBatch()
        batch.series = timestamped
        timestamped.removeAll()

        let current = bucketStart(now)
        let lastClosed = force ? Swift.max(current, buckets.keys.max() ?? current) : current - interval
        var ready = Set(buckets.keys.filter { $0 <= lastClosed })
        // Windows without any sample still owe zeros to live counters.
        if let last = lastFlushedBucket {
            let maxWindows = counterExpirySeconds / interval + 1
            var start = Swift.max(last + interval, lastClosed - maxWindows * interval)
            while start <= lastClosed {
                ready.insert(start)
                start += interval
            }
        }

        for start in ready.sorted() {
            let bucket = buckets.removeValue(forKey: start) ?? Bucket(start: start, expectedContexts: 0)
            if !bucket.accumulators.isEmpty { lastBucketSize = bucket.accumulators.count }
            emit(bucket, into: &batch)
            if let last = lastFlushedBucket { lastFlushedBucket = Swift.max(last, start) } else { lastFlushedBucket = start }
        }
        expireContexts(before: force ? Int64.max : current)
        return batch
    }

    private func emit(_ bucket: Bucket, into batch: inout FlushBatch) {
        let t = bucket.start
        let seconds = Double(interval)
        for (key, acc) in bucket.accumulators {
            guard let context = contexts[key] else { continue }
            let (name, tags, host) = (context.name, context.tags, context.host)
            func series(_ suffix: String, _ type: SeriesType, _ value: Double) -> Series {
                Series(name: name + suffix, type: type, points: [Point(timestamp: t, value: value)], tags: tags,
                       host: host, interval: interval)
            }
            switch acc.type {
            case .gauge:
                batch.series.append(series("", .gauge, acc.value))
            case .count:
                batch.series.append(series("", .rate, acc.value / seconds))
            case .set:
                batch.series.append(series("", .gauge, Double(acc.members.count)))
            case .histogram, .timer:
                var values = acc.samples
                guard let summary = Percentiles.summary(&values) else { continue }
                batch.series.append(series(".avg", .gauge, summary.average))
                batch.series.append(series(".max", .gauge, summary.max))
                batch.series.append(series(".median", .gauge, summary.median))
                batch.series.append(series(".95percentile", .gauge, summary.p95))
                batch.series.append(series(".count", .rate, acc.weightedCount / seconds))
            case .distribution:
                guard !acc.sketch.isEmpty else { continue }
                batch.sketches.append(SketchSeries(name: name, tags: tags, host: host, interval: interval,
                                                   points: [acc.sketch.point(timestamp: t)]))
            }
        }
        // Counters that were live within the expiry but silent in this window.
        for (key, context) in contexts where context.type == .count && bucket.accumulators[key] == nil {
            guard context.lastBucket < t, t - context.lastBucket <= counterExpirySeconds else { continue }
            batch.series.append(Series(name: context.name, type: .rate, points: [Point(timestamp: t, value: 0)],
                                       tags: context.tags, host: context.host, interval: interval))
        }
    }

    /// Forgets contexts whose last sample is older than the expiry and that
    /// have nothing left in a pending bucket.
    private func expireContexts(before now: Int64) {
        let limit = now == Int64.max ? Int64.max : now - counterExpirySeconds
        let pending = Set(buckets.values.flatMap { $0.accumulators.keys })
        contexts = contexts.filter { key, context in
            context.lastBucket >= limit || pending.contains(key)
        }
    }
}
