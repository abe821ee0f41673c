import Synchronization
import VigilAggregation
import VigilModel

/// Parses packets and feeds the aggregator: one per worker thread, with its
/// own scratch space and origin cache. A packet is handled in two phases:
/// parsing and hashing (most of the work) run outside the aggregator's lock
/// into `pending`, so several workers parse in parallel; the lock is then
/// taken once to add the packet's samples. Strings are built only for a
/// context the sampler has not seen before.
final class MessageProcessor: @unchecked Sendable {  // handed to one worker thread, used only there
    private let hostname: String
    private let defaultHostHash: UInt64
    private let counters: DogStatsDCounters
    private let listeners: [ListenerCounters]
    private let origins: OriginResolver
    private let originDetection: Bool
    private let shared: SharedAggregator
    private var tagHashes = PlainBuffer<UInt64>(capacity: 64)
    private var pending = PlainBuffer<PendingSample>(capacity: 512)
    private var declaredOrigins: [OriginTags] = []
    private var events: [Event] = []
    private var serviceChecks: [ServiceCheck] = []

    init(hostname: String, counters: DogStatsDCounters, listeners: [ListenerCounters], origins: OriginResolver,
         originDetection: Bool, shared: SharedAggregator) {
        self.hostname = hostname
        self.defaultHostHash = ContextKey.hash(hostname)
        self.counters = counters
        self.listeners = listeners
        self.origins = origins
        self.originDetection = originDetection
        self.shared = shared
    }

    func process(_ buf: UnsafeRawBufferPointer, listener: Int, pid: Int32, now: Double) {
        let origin = originDetection ? origins.origin(pid: pid) : .none
        pending.removeAll()
        buf.forEachPiece(of: ByteRange(start: 0, end: buf.count), separatedBy: UInt8(ascii: "\n")) { line in
            var line = line
            if buf[line.end - 1] == UInt8(ascii: "\r") { line.end -= 1 }
            if line.isEmpty { return }
            if buf.hasPrefix("_e{", in: line) {
                parseEvent(buf, line, origin: origin, now: now)
            } else if buf.hasPrefix("_sc|", in: line) {
                parseServiceCheck(buf, line, origin: origin, now: now)
            } else {
                parseMetric(buf, line, origin: origin, pid: pid)
            }
        }
        let metrics = pending.count
        let eventCount = events.count
        let checkCount = serviceChecks.count
        if metrics > 0 || eventCount > 0 || checkCount > 0 {
            shared.state.withLock { state in
                apply(buf, origin: origin, now: now, sampler: state.sampler)
                if eventCount > 0 { state.add(events: &events) }
                if checkCount > 0 { state.add(serviceChecks: &serviceChecks) }
            }
        }
        declaredOrigins.removeAll(keepingCapacity: true)
        let counters = listeners[listener]
        if metrics > 0 { counters.metrics.add(metrics, ordering: .relaxed) }
        if eventCount > 0 { counters.events.add(eventCount, ordering: .relaxed) }
        if checkCount > 0 { counters.serviceChecks.add(checkCount, ordering: .relaxed) }
    }

    // MARK: phase 1, outside the lock

    @inline(__always)
    private func parseMetric(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, origin: OriginTags, pid: Int32) {
        let metric: ParsedMetric
        switch MetricParser.parse(buf, line) {
        case let .success(m): metric = m
        case let .failure(reason):
            counters.count(reason)
            return
        }
        let declaresContainer = origin.containerID == nil && !metric.containerID.isEmpty
        if originDetection, declaresContainer || metric.cardinality != nil {
            declaredOrigins.append(messageOrigin(buf, metric, packetOrigin: origin, pid: pid))
            addPending(buf, metric, origin: declaredOrigins[declaredOrigins.count - 1],
                       declaredOrigin: Int32(declaredOrigins.count - 1))
        } else {
            addPending(buf, metric, origin: origin, declaredOrigin: -1)
        }
    }

    /// The origin of one message that names its container (`|c:`, used when
    /// the socket could not tell) or its tag cardinality (`|card:`).
    private func messageOrigin(_ buf: UnsafeRawBufferPointer, _ metric: ParsedMetric, packetOrigin: OriginTags,
                               pid: Int32) -> OriginTags {
        var cardinality: TagCardinality?
        switch metric.cardinality {
        case .none?: return .none
        case let .tags(c)?: cardinality = c
        case nil: cardinality = nil
        }
        if packetOrigin.containerID == nil, !metric.containerID.isEmpty {
            return origins.origin(containerID: buf.slice(metric.containerID), cardinality: cardinality)
        }
        return origins.origin(pid: pid, cardinality: cardinality)
    }

    @inline(__always)
    private func addPending(_ buf: UnsafeRawBufferPointer, _ metric: ParsedMetric, origin: OriginTags,
                            declaredOrigin: Int32) {
        // A multi-value message is accepted whole or not at all.
        let multiValue = buf.firstIndex(of: UInt8(ascii: ":"), in: metric.values) != nil
        var single = 0.0
        if metric.type != .set {
            if multiValue {
                var valid = buf[metric.values.end - 1] != UInt8(ascii: ":")
                buf.forEachPiece(of: metric.values, separatedBy: UInt8(ascii: ":")) { v in
                    if NumberParsing.double(buf.slice(v)) == nil { valid = false }
                }
                if !valid {
                    counters.count(.invalidValue)
                    return
                }
            } else {
                // A count scaled by its sample rate must still be a number.
                guard let v = NumberParsing.double(buf.slice(metric.values)),
                      metric.type != .count || (v / metric.sampleRate).isFinite else {
                    counters.count(.invalidValue)
                    return
                }
                single = v
            }
        }

        // Tags: hashed one by one; `host:` names the host instead of tagging.
        tagHashes.removeAll()
        var host = ByteRange.empty
        buf.forEachPiece(of: metric.tags, separatedBy: UInt8(ascii: ",")) { tag in
            if buf.hasPrefix("host:", in: tag) {
                host = ByteRange(start: tag.start + 5, end: tag.end)
            } else {
                tagHashes.append(ContextKey.tagHash(buf.slice(tag)))
            }
        }
        for h in origin.tagHashes { tagHashes.append(h) }
        let hostHash = host.isEmpty ? defaultHostHash : ContextKey.hash(buf.slice(host))
        let key = ContextKey(nameHash: ContextKey.hash(buf.slice(metric.name)), hostHash: hostHash,
                             tagsHash: ContextKey.combine(tagHashes: tagHashes.elements))

        var sample = PendingSample(key: key.value, value: single, sampleRate: metric.sampleRate, memberHash: 0,
                                   timestamp: metric.timestamp ?? 0, name: metric.name, tags: metric.tags, host: host,
                                   declaredOrigin: declaredOrigin, type: metric.type)
        if metric.type == .set {
            let before = pending.count
            buf.forEachPiece(of: metric.values, separatedBy: UInt8(ascii: ":")) { v in
                sample.memberHash = ContextKey.hash(buf.slice(v))
                pending.append(sample)
            }
            if pending.count == before { counters.count(.invalidValue) }
        } else if multiValue {
            buf.forEachPiece(of: metric.values, separatedBy: UInt8(ascii: ":")) { v in
                sample.value = NumberParsing.double(buf.slice(v))!
                pending.append(sample)
            }
        } else {
            pending.append(sample)
        }
    }

    // MARK: phase 2, under the lock

    private func apply(_ buf: UnsafeRawBufferPointer, origin packetOrigin: OriginTags, now: Double, sampler: TimeSampler) {
        for sample in pending.elements {
            // A local function, not a closure value: a stored closure would be
            // heap-allocated on every call, and this runs once per metric.
            func makeContext() -> (name: String, tags: [String], host: String) {
                let origin = sample.declaredOrigin < 0 ? packetOrigin : declaredOrigins[Int(sample.declaredOrigin)]
                return (buf.string(sample.name), tagStrings(buf, sample.tags, origin: origin),
                        sample.host.isEmpty ? hostname : buf.string(sample.host))
            }
            let key = ContextKey(value: sample.key)
            if sample.type == .set {
                sampler.addSetMember(key: key, memberHash: sample.memberHash, time: now, makeContext: makeContext)
            } else if sample.timestamp != 0, sample.type == .gauge || sample.type == .count {
                let parts = makeContext()
                sampler.addTimestamped(name: parts.name, tags: parts.tags, host: parts.host, type: sample.type,
                                       value: sample.value, sampleRate: sample.sampleRate, timestamp: sample.timestamp)
            } else {
                sampler.add(key: key, type: sample.type, value: sample.value, sampleRate: sample.sampleRate, time: now,
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

    private func parseEvent(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, origin: OriginTags, now: Double) {
        switch EventParser.parse(buf, line, defaultHost: hostname, now: Int64(now)) {
        case let .failure(reason):
            counters.count(reason)
        case let .success(parsed):
            var event = parsed.event
            event.tags = Tags.normalized(parsed.tags + origin.tags)
            events.append(event)
        }
    }

    private func parseServiceCheck(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, origin: OriginTags, now: Double) {
        switch ServiceCheckParser.parse(buf, line, defaultHost: hostname, now: Int64(now)) {
        case let .failure(reason):
            counters.count(reason)
        case let .success(parsed):
            var check = parsed.check
            check.tags = Tags.normalized(parsed.tags + origin.tags)
            serviceChecks.append(check)
        }
    }
}
