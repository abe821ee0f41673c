import VigilModel

/// DogStatsD aggregation: samples fall into 10-second windows by arrival
/// time; a window is flushed once it is complete. Counts become rates
/// (sum ÷ interval), gauges keep their last value, sets their number of
/// distinct members, histograms and timers a summary, distributions a
/// sketch. A counter keeps reporting 0 for `counterExpirySeconds` after its
/// last sample so that graphs fall to zero instead of stopping.
///
/// Layout, for speed: a context is a dense index found through an
/// open-addressing table, and owns two window accumulators, one per window
/// parity, so the current and the previous (not yet flushed) window are
/// both updated in place. A sample for an older window than those — only
/// when flushes stall or a packet waited very long — goes to `late`.
///
/// Not thread-safe: the DogStatsD server serialises access, taking its lock
/// once per packet rather than once per sample.
public final class TimeSampler: @unchecked Sendable {
    public let interval: Int64
    public let counterExpirySeconds: Int64
    private var table = ContextIndexTable()
    private var contexts: [TimeSamplerContext] = []
    private var states = PlainBuffer<ContextState>(capacity: 1024)
    /// Two per context: index 2 × context + window parity.
    private var windows = PlainBuffer<WindowAccumulator>(capacity: 2048)
    private var samples: [WindowSamples] = []
    private var freeSamples: [Int32] = []
    /// Histogram buffers handed back after a flush's build, reused by new windows.
    private var spareBuffers: [[Double]] = []
    /// The emptied record array of the last flush, reused by the next.
    private var spareRecords: [ClosedWindows.Closed] = []
    private var late: [Int64: [ContextKey: WindowAccumulator]] = [:]
    /// `|T` samples: they keep their own timestamp and skip aggregation.
    private var timestamped: [Series] = []
    /// The last window start handed out, so counters can be zero-filled for
    /// windows that received nothing at all.
    private var lastFlushedBucket: Int64?
    /// The window of the last time seen: one packet's samples share a time.
    private var cachedSecond = Int64.min
    private var cachedStart: Int64 = 0
    private var cachedParity = 0

    /// How many live contexts there may be, in all and per origin.
    public let limits: ContextLimits
    /// Live contexts per origin; an origin leaves when its last context expires.
    private var originContexts: [UInt64: Int] = [:]
    /// Samples refused by `limits`, by reason.
    public private(set) var drops = ContextDrops()

    public init(interval: Int64 = 10, counterExpirySeconds: Int64 = 300, limits: ContextLimits = ContextLimits()) {
        self.interval = interval
        self.counterExpirySeconds = counterExpirySeconds
        self.limits = limits
    }

    public var contextCount: Int { contexts.count }

    /// Origins with at least one live context.
    public var originCount: Int { originContexts.count }

    func bucketStart(_ time: Double) -> Int64 {
        let t = Int64(time.rounded(.down))
        return t - ((t % interval) + interval) % interval
    }

    @inline(__always)
    private func window(at time: Double) -> (start: Int64, parity: Int) {
        let second = Int64(time.rounded(.down))
        if second != cachedSecond {
            cachedSecond = second
            cachedStart = bucketStart(time)
            cachedParity = Int(((cachedStart / interval) % 2 + 2) % 2)
        }
        return (cachedStart, cachedParity)
    }

    /// Adds one sample of a numeric type. `makeContext` runs only for a
    /// context not seen before, so steady-state samples build no strings.
    /// `origin` names the sender (0: unknown) for the per-origin bound.
    @inline(__always)
    public func add(key: ContextKey, type: DogStatsDMetricType, value: Double, sampleRate: Double, time: Double,
                    origin: UInt64 = 0, makeContext: () -> (name: String, tags: [String], host: String)) {
        let (start, parity) = window(at: time)
        let i = contextIndex(key, type: type, bucket: start, origin: origin, makeContext: makeContext)
        if i < 0 { return }
        if let w = currentWindow(context: i, parity: parity, start: start, key: key) {
            accumulate(&w.pointee, type: type, value: value, sampleRate: sampleRate)
        } else {
            accumulate(&late[start, default: [:]][key, default: WindowAccumulator(start: start)], type: type,
                       value: value, sampleRate: sampleRate)
        }
    }

    /// Adds one member (already hashed) of a set.
    @inline(__always)
    public func addSetMember(key: ContextKey, memberHash: UInt64, time: Double, origin: UInt64 = 0,
                             makeContext: () -> (name: String, tags: [String], host: String)) {
        let (start, parity) = window(at: time)
        let i = contextIndex(key, type: .set, bucket: start, origin: origin, makeContext: makeContext)
        if i < 0 { return }
        if let w = currentWindow(context: i, parity: parity, start: start, key: key) {
            addMember(&w.pointee, memberHash)
        } else {
            addMember(&late[start, default: [:]][key, default: WindowAccumulator(start: start)], memberHash)
        }
    }

    /// A sample with its own timestamp (`|T`), sent on unaggregated as the
    /// reference does: gauges stay gauges, counts go out as counts of exactly
    /// what was sent (a sample rate is not applied to them).
    /// They wait for the next flush, at most `limits.total` of them.
    public func addTimestamped(name: String, tags: [String], host: String, type: DogStatsDMetricType,
                               value: Double, timestamp: Int64) {
        guard timestamped.count < limits.total else {
            drops.timestampedLimit += 1
            return
        }
        let seriesType: SeriesType = type == .count ? .count : .gauge
        let v = value
        timestamped.append(Series(name: name, type: seriesType, points: [Point(timestamp: timestamp, value: v)],
                                  tags: tags, host: host, interval: type == .count ? interval : 0))
    }

    // MARK: hot path

    /// The context's index, or -1 when it is new and a bound refuses it (counted).
    @inline(__always)
    private func contextIndex(_ key: ContextKey, type: DogStatsDMetricType, bucket: Int64, origin: UInt64,
                              makeContext: () -> (name: String, tags: [String], host: String)) -> Int {
        let found = table.find(key.value)
        if found >= 0 {
            let state = states.base + Int(found)
            if state.pointee.lastBucket < bucket { state.pointee.lastBucket = bucket }
            if state.pointee.type != type { state.pointee.type = type }
            return Int(found)
        }
        guard admits(origin: origin) else { return -1 }
        return addContext(key, type: type, bucket: bucket, origin: origin, parts: makeContext())
    }

    /// Whether a new context of `origin` fits the bounds; counts the refusal when not.
    @inline(never)
    private func admits(origin: UInt64) -> Bool {
        if contexts.count >= limits.total {
            drops.contextLimit += 1
            return false
        }
        if limits.perOrigin < limits.total, originContexts[origin, default: 0] >= limits.perOrigin {
            drops.originLimit += 1
            return false
        }
        return true
    }

    private func addContext(_ key: ContextKey, type: DogStatsDMetricType, bucket: Int64, origin: UInt64,
                            parts: (name: String, tags: [String], host: String)) -> Int {
        let i = contexts.count
        originContexts[origin, default: 0] += 1
        contexts.append(TimeSamplerContext(key: key, name: parts.name, tags: parts.tags, host: parts.host, origin: origin))
        states.append(ContextState(lastBucket: bucket, type: type))
        windows.append(WindowAccumulator())
        windows.append(WindowAccumulator())
        table.insert(key.value, index: Int32(i))
        return i
    }

    /// The context's accumulator for the window starting at `start`, or nil
    /// when that window is older than the two the context holds.
    @inline(__always)
    private func currentWindow(context i: Int, parity: Int, start: Int64,
                               key: ContextKey) -> UnsafeMutablePointer<WindowAccumulator>? {
        let w = windows.base + (2 * i + parity)
        if w.pointee.start == start { return w }
        if w.pointee.start > start { return nil }
        if !w.pointee.isIdle {
            // Two windows back and never flushed: keep it aside for the flush.
            late[w.pointee.start, default: [:]][key] = w.pointee
            w.pointee.extra = -1
        }
        w.pointee.start = start
        w.pointee.value = 0
        w.pointee.weightedCount = 0
        return w
    }

    @inline(__always)
    private func accumulate(_ w: inout WindowAccumulator, type: DogStatsDMetricType, value: Double, sampleRate: Double) {
        // A context that changes type starts its window over, as the Agent does.
        if w.type != type { restart(&w, as: type) }
        switch type {
        case .gauge:
            w.value = value
        case .count:
            w.value += value / sampleRate
        case .histogram, .timer:
            let weight = SampleWeight.of(rate: sampleRate)
            w.weightedCount += Double(weight)
            samples[extra(&w)].append(value, weight: Double(weight))
        case .distribution:
            samples[extra(&w)].sketch.insert(value, weight: SampleWeight.of(rate: sampleRate), sumWeight: 1 / sampleRate)
        case .set:
            // Sets receive member hashes through `addMember`.
            break
        }
    }

    @inline(__always)
    private func addMember(_ w: inout WindowAccumulator, _ hash: UInt64) {
        if w.type != .set { restart(&w, as: .set) }
        samples[extra(&w)].members.insert(hash)
    }

    private func restart(_ w: inout WindowAccumulator, as type: DogStatsDMetricType) {
        w.type = type
        w.value = 0
        w.weightedCount = 0
        if w.extra >= 0 { samples[Int(w.extra)].removeAll() }
    }

    /// The window's `WindowSamples`, taken from the free list or made on first need.
    @inline(__always)
    private func extra(_ w: inout WindowAccumulator) -> Int {
        if w.extra >= 0 { return Int(w.extra) }
        if let reused = freeSamples.popLast() {
            w.extra = reused
        } else {
            w.extra = Int32(samples.count)
            samples.append(WindowSamples())
        }
        return Int(w.extra)
    }

    // MARK: flush

    /// The windows complete at `now` (with `force`, every window), as plain
    /// values and moved-out buffers: the part of a flush that must hold the
    /// aggregator. Build the series from the result without holding it.
    public func collect(now: Double, force: Bool) -> ClosedWindows {
        var out = ClosedWindows(interval: interval)
        // The record storage of the previous flush, so a flush does not fault in fresh pages.
        swap(&out.closed, &spareRecords)
        out.closed.reserveCapacity(contexts.count)
        swap(&out.timestamped, &timestamped)

        let current = bucketStart(now)
        var ready = Set<Int64>()
        for j in 0..<windows.count where !windows.base[j].isIdle { ready.insert(windows.base[j].start) }
        ready.formUnion(late.keys)
        let lastClosed = force ? Swift.max(current, ready.max() ?? current) : current - interval
        ready = ready.filter { $0 <= lastClosed }
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
            collectWindow(start: start, into: &out)
            lastFlushedBucket = Swift.max(lastFlushedBucket ?? start, start)
        }
        expireContexts(before: force ? Int64.max : current)
        return out
    }

    /// Takes back the buffers `build` emptied, for the next windows' samples.
    public func recycle(_ closed: inout ClosedWindows) {
        // Popped, not iterated: a buffer must be uniquely held to be emptied in place.
        while spareBuffers.count < Self.maxSpareBuffers, var buffer = closed.spareBuffers.popLast() {
            buffer.removeAll(keepingCapacity: true)
            spareBuffers.append(buffer)
        }
        closed.spareBuffers.removeAll()
        // Kept for the next flush unless a burst made it far larger than the live contexts need.
        if closed.closed.isEmpty, closed.closed.capacity > spareRecords.capacity,
           closed.closed.capacity <= 4 * Swift.max(contexts.count, 1024) {
            swap(&spareRecords, &closed.closed)
        }
    }

    private static let maxSpareBuffers = 4096

    private func collectWindow(start t: Int64, into out: inout ClosedWindows) {
        let lateWindows = late.removeValue(forKey: t) ?? [:]
        for i in 0..<contexts.count {
            var emitted = false
            for parity in 0..<2 {
                let w = windows.base + (2 * i + parity)
                guard w.pointee.start == t else { continue }
                close(w.pointee, context: contexts[i], into: &out)
                emitted = true
                w.pointee.start = WindowAccumulator.idle
                w.pointee.value = 0
                w.pointee.weightedCount = 0
                if w.pointee.extra >= 0 { samples[Int(w.pointee.extra)].removeAll() }
            }
            if !lateWindows.isEmpty, let w = lateWindows[contexts[i].key] {
                close(w, context: contexts[i], into: &out)
                emitted = true
                if w.extra >= 0 {
                    samples[Int(w.extra)].removeAll()
                    freeSamples.append(w.extra)
                }
            }
            // Counters that were live within the expiry but silent in this window.
            let state = states.base[i]
            if !emitted, state.type == .count, state.lastBucket < t, t - state.lastBucket <= counterExpirySeconds {
                out.closed.append(.init(context: contexts[i], start: t, type: .count, value: 0))
            }
        }
    }

    private func close(_ w: WindowAccumulator, context: TimeSamplerContext, into out: inout ClosedWindows) {
        switch w.type {
        case .gauge, .count:
            out.closed.append(.init(context: context, start: w.start, type: w.type, value: w.value))
        case .set:
            let members = w.extra >= 0 ? samples[Int(w.extra)].members.count : 0
            out.closed.append(.init(context: context, start: w.start, type: .set, value: Double(members)))
        case .histogram, .timer:
            guard w.extra >= 0, !samples[Int(w.extra)].values.isEmpty else { return }
            // Moved out, not copied: the window gets a spare buffer for its next samples.
            var closed = ClosedWindows.Closed(context: context, start: w.start, type: w.type, value: w.weightedCount)
            swap(&closed.values, &samples[Int(w.extra)].values)
            swap(&closed.weights, &samples[Int(w.extra)].weights)
            if let spare = spareBuffers.popLast() { samples[Int(w.extra)].values = spare }
            out.closed.append(closed)
        case .distribution:
            guard w.extra >= 0, !samples[Int(w.extra)].sketch.isEmpty else { return }
            out.closed.append(.init(context: context, start: w.start, type: .distribution, value: 0,
                                    sketch: samples[Int(w.extra)].sketch.point(timestamp: w.start)))
        }
    }

    /// Forgets contexts whose last sample is older than the expiry and that
    /// have nothing left in a pending window.
    private func expireContexts(before now: Int64) {
        let limit = now == Int64.max ? Int64.max : now - counterExpirySeconds
        let pendingLate = Set(late.values.flatMap { $0.keys })
        func expired(_ i: Int) -> Bool {
            states.base[i].lastBucket < limit && windows.base[2 * i].isIdle && windows.base[2 * i + 1].isIdle
                && !pendingLate.contains(contexts[i].key)
        }
        guard (0..<contexts.count).contains(where: expired) else { return }
        var kept = 0
        var keptContexts: [TimeSamplerContext] = []
        let survivors = (0..<contexts.count).count(where: { !expired($0) })
        keptContexts.reserveCapacity(survivors)
        // After a burst the table may be many times what is left: rebuilt smaller, not just emptied.
        if table.capacity > 8 * max(survivors, 1024) {
            table = ContextIndexTable(minimumCapacity: max(survivors, 1024))
        } else {
            table.removeAll()
        }
        for i in 0..<contexts.count {
            if expired(i) {
                for j in [2 * i, 2 * i + 1] where windows.base[j].extra >= 0 {
                    freeSamples.append(windows.base[j].extra)
                    samples[Int(windows.base[j].extra)] = WindowSamples()
                }
                let origin = contexts[i].origin
                if let n = originContexts[origin], n > 1 { originContexts[origin] = n - 1 } else { originContexts[origin] = nil }
                continue
            }
            states.base[kept] = states.base[i]
            windows.base[2 * kept] = windows.base[2 * i]
            windows.base[2 * kept + 1] = windows.base[2 * i + 1]
            keptContexts.append(contexts[i])
            table.insert(contexts[i].key.value, index: Int32(kept))
            kept += 1
        }
        contexts = keptContexts
        states.truncate(to: kept)
        windows.truncate(to: 2 * kept)
        // What a burst grew is handed back: the malloc'd buffers here, then the
        // agent's periodic heap trim returns the pages.
        if states.shrink(floor: 1024) {
            windows.shrink(floor: 2048)
            spareRecords = []
            spareBuffers = []
            if originContexts.isEmpty { originContexts = [:] }
        }
    }
}
