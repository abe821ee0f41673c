import Synchronization
import VigilAggregation
import VigilModel

/// Parses packets and feeds the aggregator: one per worker thread, with its
/// own scratch space and origin cache. Per metric it hashes name, host and
/// tags straight from the packet bytes and builds Strings only for a context
/// the sampler has not seen before.
final class MessageProcessor: @unchecked Sendable {  // handed to one worker thread, used only there
    private let hostname: String
    private let defaultHostHash: UInt64
    private let counters: DogStatsDCounters
    private let listeners: [ListenerCounters]
    private let origins: OriginResolver
    private let originDetection: Bool
    private let shared: SharedAggregator
    private var tagHashes: [UInt64] = []

    init(hostname: String, counters: DogStatsDCounters, listeners: [ListenerCounters], origins: OriginResolver,
         originDetection: Bool, shared: SharedAggregator) {
        self.hostname = hostname
        self.defaultHostHash = ContextKey.fnv1a(hostname, seed: ContextKey.offsetBasis)
        self.counters = counters
        self.listeners = listeners
        self.origins = origins
        self.originDetection = originDetection
        self.shared = shared
        tagHashes.reserveCapacity(256)
    }

    /// Per-packet tallies, added to the listener's counters once.
    private struct Tally {
        var metrics = 0
        var events = 0
        var serviceChecks = 0
    }

    func process(_ buf: UnsafeRawBufferPointer, listener: Int, pid: Int32, now: Double) {
        let origin = originDetection ? origins.origin(pid: pid) : .none
        var tally = Tally()
        shared.state.withLock { state in
            buf.forEachPiece(of: ByteRange(start: 0, end: buf.count), separatedBy: UInt8(ascii: "\n")) { line in
                var line = line
                if buf[line.end - 1] == UInt8(ascii: "\r") { line.end -= 1 }
                if line.isEmpty { return }
                if buf.hasPrefix("_e{", in: line) {
                    processEvent(buf, line, origin: origin, now: now, state: &state, tally: &tally)
                } else if buf.hasPrefix("_sc|", in: line) {
                    processServiceCheck(buf, line, origin: origin, now: now, state: &state, tally: &tally)
                } else {
                    processMetric(buf, line, origin: origin, now: now, sampler: state.sampler, tally: &tally)
                }
            }
        }
        let counters = listeners[listener]
        if tally.metrics > 0 { counters.metrics.add(tally.metrics, ordering: .relaxed) }
        if tally.events > 0 { counters.events.add(tally.events, ordering: .relaxed) }
        if tally.serviceChecks > 0 { counters.serviceChecks.add(tally.serviceChecks, ordering: .relaxed) }
    }

    @inline(__always)
    private func processMetric(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, origin: OriginTags, now: Double,
                               sampler: TimeSampler, tally: inout Tally) {
        let metric: ParsedMetric
        switch MetricParser.parse(buf, line) {
        case let .success(m): metric = m
        case let .failure(reason):
            counters.count(reason)
            return
        }
        // A multi-value message is accepted whole or not at all.
        var pieces = 0
        var valid = true
        buf.forEachPiece(of: metric.values, separatedBy: UInt8(ascii: ":")) { v in
            pieces += 1
            if metric.type != .set, pieces > 1 || v.end < metric.values.end, NumberParsing.double(buf.slice(v)) == nil {
                valid = false
            }
        }
        if pieces == 0 || !valid {
            counters.count(.invalidValue)
            return
        }

        var origin = origin
        if origin.containerID == nil, originDetection, !metric.containerID.isEmpty {
            origin = origins.origin(containerID: buf.slice(metric.containerID))
        }

        // Tags: hashed one by one; `host:` names the host instead of tagging.
        tagHashes.removeAll(keepingCapacity: true)
        var hostTag: ByteRange?
        buf.forEachPiece(of: metric.tags, separatedBy: UInt8(ascii: ",")) { tag in
            if buf.hasPrefix("host:", in: tag) {
                hostTag = ByteRange(start: tag.start + 5, end: tag.end)
            } else {
                tagHashes.append(ContextKey.tagHash(buf.slice(tag)))
            }
        }
        tagHashes.append(contentsOf: origin.tagHashes)
        let hostRange = hostTag
        let metricOrigin = origin
        let tagsHash = ContextKey.combine(tagHashes: &tagHashes)
        let hostHash = hostRange.map { ContextKey.fnv1a(buf.slice($0), seed: ContextKey.offsetBasis) } ?? defaultHostHash
        let nameHash = ContextKey.fnv1a(buf.slice(metric.name), seed: ContextKey.offsetBasis)
        let key = ContextKey(nameHash: nameHash, hostHash: hostHash, tagsHash: tagsHash)

        // A local function, not a closure value: a stored closure would be
        // heap-allocated on every call, and this runs once per metric.
        func makeContext() -> (name: String, tags: [String], host: String) {
            (buf.string(metric.name), tagStrings(buf, metric.tags, origin: metricOrigin),
             hostRange.map { buf.string($0) } ?? hostname)
        }

        buf.forEachPiece(of: metric.values, separatedBy: UInt8(ascii: ":")) { v in
            let bytes = buf.slice(v)
            if metric.type == .set {
                sampler.addSetMember(key: key, memberHash: ContextKey.fnv1a(bytes, seed: ContextKey.offsetBasis),
                                     time: now, makeContext: makeContext)
                tally.metrics += 1
                return
            }
            guard let value = NumberParsing.double(bytes) else {
                counters.count(.invalidValue)
                return
            }
            tally.metrics += 1
            if let ts = metric.timestamp, metric.type == .gauge || metric.type == .count {
                let parts = makeContext()
                sampler.addTimestamped(name: parts.name, tags: parts.tags, host: parts.host, type: metric.type,
                                       value: value, sampleRate: metric.sampleRate, timestamp: ts)
            } else {
                sampler.add(key: key, type: metric.type, value: value, sampleRate: metric.sampleRate, time: now,
                            makeContext: makeContext)
            }
        }
    }

    private func tagStrings(_ buf: UnsafeRawBufferPointer, _ tags: ByteRange, origin: OriginTags) -> [String] {
        var out = origin.tags
        buf.forEachPiece(of: tags, separatedBy: UInt8(ascii: ",")) { tag in
            if !buf.hasPrefix("host:", in: tag) { out.append(buf.string(tag)) }
        }
        return Tags.normalized(out)
    }

    private func processEvent(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, origin: OriginTags, now: Double,
                              state: inout AggregatorState, tally: inout Tally) {
        switch EventParser.parse(buf, line, defaultHost: hostname, now: Int64(now)) {
        case let .failure(reason):
            counters.count(reason)
        case let .success(parsed):
            tally.events += 1
            guard state.events.count < AggregatorState.maxPending else {
                state.droppedEvents += 1
                return
            }
            var event = parsed.event
            event.tags = Tags.normalized(parsed.tags + origin.tags)
            state.events.append(event)
        }
    }

    private func processServiceCheck(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, origin: OriginTags, now: Double,
                                     state: inout AggregatorState, tally: inout Tally) {
        switch ServiceCheckParser.parse(buf, line, defaultHost: hostname, now: Int64(now)) {
        case let .failure(reason):
            counters.count(reason)
        case let .success(parsed):
            tally.serviceChecks += 1
            guard state.serviceChecks.count < AggregatorState.maxPending else {
                state.droppedServiceChecks += 1
                return
            }
            var check = parsed.check
            check.tags = Tags.normalized(parsed.tags + origin.tags)
            state.serviceChecks.append(check)
        }
    }
}
