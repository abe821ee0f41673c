import Synchronization
import VigilAggregation
import VigilDogStatsDProtocol
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
    /// `dogstatsd_tags`, hashed once.
    private let extraTags: OriginTags
    private let namer: MetricNamer
    /// False when no naming rule is configured: names are then hashed straight from the packet.
    private let renames: Bool
    private static let distributionCopySalt: UInt64 = 0x9e37_79b9_7f4a_7c15
    private let mapper: MetricMapper?
    /// Tested before `mapper` and `extraTags` are touched, so that a feature that is off costs one branch.
    private let hasMapper: Bool
    private let hasExtraTags: Bool
    /// This packet's mapped names, referenced by `PendingSample.mapped`.
    private var mappedNames: [MappedName] = []
    /// This packet's distribution copies of histograms: pending, but not metrics received.
    private var copies = 0
    /// A message's client tags, in number and in bytes each.
    private let tagLimits: TagLimits
    /// The packet's sender for the per-origin context bound: its container, else its process.
    private var packetOriginKey: UInt64 = 0

    init(hostname: String, counters: DogStatsDCounters, listeners: [ListenerCounters], origins: OriginResolver,
         originDetection: Bool, shared: SharedAggregator, extraTags: [String] = [],
         nameRules: MetricNameRules = MetricNameRules(), mapper: MetricMapper? = nil,
         tagLimits: TagLimits = TagLimits()) {
        self.tagLimits = tagLimits
        self.mapper = mapper
        self.hasMapper = mapper != nil
        self.hasExtraTags = !extraTags.isEmpty
        self.extraTags = OriginTags(containerID: nil, tags: extraTags)
        self.namer = MetricNamer(rules: nameRules)
        self.renames = !nameRules.isIdentity
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
        // Bit 62 keeps process keys apart from container keys (hashes with bit 0 set).
        packetOriginKey = origin.originKey != 0 ? origin.originKey : pid > 0 ? UInt64(UInt32(bitPattern: pid)) << 1 | 1 << 62 : 0
        pending.removeAll()
        buf.forEachPiece(of: ByteRange(start: 0, end: buf.count), separatedBy: UInt8(ascii: "\n")) { line in
            var line = line
            if buf[line.end - 1] == UInt8(ascii: "\r") { line.end -= 1 }
            if line.isEmpty { return }
            if ControlBytes.contained(in: buf.slice(line)) {
                self.counters.count(.controlCharacter)
                return
            }
            if buf.hasPrefix("_e{", in: line) {
                parseEvent(buf, line, origin: origin, pid: pid, now: now)
            } else if buf.hasPrefix("_sc|", in: line) {
                parseServiceCheck(buf, line, origin: origin, pid: pid, now: now)
            } else {
                parseMetric(buf, line, origin: origin, pid: pid)
            }
        }
        let metrics = pending.count - copies
        copies = 0
        let eventCount = events.count
        let checkCount = serviceChecks.count
        if pending.count > 0 || eventCount > 0 || checkCount > 0 {
            shared.state.withLock { state in
                apply(buf, origin: origin, now: now, sampler: state.sampler)
                if eventCount > 0 { state.add(events: &events) }
                if checkCount > 0 { state.add(serviceChecks: &serviceChecks) }
            }
        }
        declaredOrigins.removeAll(keepingCapacity: true)
        if hasMapper { mappedNames.removeAll(keepingCapacity: true) }
        let counters = listeners[listener]
        if metrics > 0 { counters.metrics.add(metrics, ordering: .relaxed) }
        if eventCount > 0 { counters.events.add(eventCount, ordering: .relaxed) }
        if checkCount > 0 { counters.serviceChecks.add(checkCount, ordering: .relaxed) }
    }

    // MARK: phase 1, outside the lock

    @inline(__always)
    private func parseMetric(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, origin: OriginTags, pid: Int32) {
        var metric = ParsedMetric()
        if let reason = MetricParser.parse(buf, line, into: &metric) {
            counters.count(reason)
            return
        }

        // Values. A set's member is everything between `:` and `|`; other
        // types may carry several values, all valid or the message is refused.
        let multiValue = metric.type != .set && buf.firstIndex(of: UInt8(ascii: ":"), in: metric.values) != nil
        var single = 0.0
        if multiValue {
            guard MetricParser.countValues(buf, metric.values) != nil else {
                counters.count(.invalidValue)
                return
            }
        } else if metric.type != .set {
            // A count scaled by its sample rate must still be a number (`|T` counts are not scaled).
            guard let v = NumberParsing.double(buf.slice(metric.values)),
                  metric.type != .count || metric.timestamp != 0 || metric.sampleRate == 1
                      || (v / metric.sampleRate).isFinite else {  // a division costs ~15% of this path: only when sampled
                counters.count(.invalidValue)
                return
            }
            single = v
        }

        // The name, hashed from the packet unless a mapping or a naming rule rewrites it.
        var name = NameChoice(raw: buf.slice(metric.name))
        if hasMapper || renames {
            guard rename(&name) else {
                counters.filteredMetrics.add(1, ordering: .relaxed)
                return
            }
        }

        // Tags, hashed one by one; the reserved ones (`host:`, `dd.internal.*`) are set aside.
        tagHashes.removeAll()
        var reserved = ReservedTags()
        var longest = 0
        buf.forEachClientTag(in: metric.tags, reserved: &reserved) { tag in
            longest = Swift.max(longest, tag.count)
            tagHashes.append(ContextKey.tagHash(buf.slice(tag)))
        }
        // Bounded before any context is made of them: each tag is kept as a string per context.
        if tagHashes.count > tagLimits.perSample {
            counters.tooManyTags.add(1, ordering: .relaxed)
            return
        }
        if longest > tagLimits.bytesPerTag {
            counters.tagTooLong.add(1, ordering: .relaxed)
            return
        }

        // Origin: the packet's, unless the message names its container or cardinality; plus a named pod.
        var declaredOrigin: Int32 = -1
        var podOrigin: Int32 = -1
        if metric.cardinality != nil || reserved.cardinality != nil || reserved.entityID != nil
            || !metric.containerID.isEmpty {
            (declaredOrigin, podOrigin) = declareOrigins(buf, metric, reserved, packetOrigin: origin, pid: pid)
        }
        // Each list only when it applies: reading an array held by `self` retains it.
        if declaredOrigin < 0 {
            for h in origin.tagHashes { tagHashes.append(h) }
        } else {
            for h in declaredOrigins[Int(declaredOrigin)].tagHashes { tagHashes.append(h) }
        }
        if podOrigin >= 0 { for h in declaredOrigins[Int(podOrigin)].tagHashes { tagHashes.append(h) } }
        if hasExtraTags { for h in extraTags.tagHashes { tagHashes.append(h) } }
        if name.mapped >= 0 { for h in mappedNames[Int(name.mapped)].tagHashes { tagHashes.append(h) } }

        let host = reserved.host ?? .empty
        let hostHash = reserved.host == nil ? defaultHostHash : ContextKey.hash(buf.slice(host))
        let tagsHash = ContextKey.combine(tagHashes: tagHashes.elements)
        let key = ContextKey(nameHash: name.hash, hostHash: hostHash, tagsHash: tagsHash)

        var sample = PendingSample(key: key.value, value: single, sampleRate: metric.sampleRate, memberHash: 0,
                                   timestamp: metric.timestamp, name: metric.name, tags: metric.tags, host: host,
                                   hostFromTag: reserved.host != nil, declaredOrigin: declaredOrigin,
                                   podOrigin: podOrigin, mapped: name.mapped, namePrefix: name.prefix, type: metric.type)
        let first = pending.count
        if metric.type == .set {
            sample.memberHash = ContextKey.hash(buf.slice(metric.values))
            pending.append(sample)
        } else if multiValue {
            buf.forEachPiece(of: metric.values, separatedBy: UInt8(ascii: ":")) { v in
                sample.value = NumberParsing.double(buf.slice(v))!
                pending.append(sample)
            }
        } else {
            pending.append(sample)
        }
        // `histogram_copy_to_distribution`: histograms and timers also go out
        // as distributions (not the `|T` ones, which the reference sends unaggregated).
        if renames, namer.rules.distributionCopyPrefix != nil, metric.type == .histogram || metric.type == .timer {
            appendDistributionCopies(from: first, name: name, hostHash: hostHash, tagsHash: tagsHash)
        }
    }

    /// A metric's name on its way to a context: the packet's bytes, or a
    /// mapped name's; the prefixes it gets; its hash.
    private struct NameChoice {
        var raw: UnsafeRawBufferPointer
        var hash: UInt64
        var mapped: Int32 = -1
        var prefix = MetricNamer.Prefix()

        init(raw: UnsafeRawBufferPointer) {
            self.raw = raw
            hash = ContextKey.hash(raw)
        }
    }

    /// Applies `dogstatsd_mapper_profiles`, then the namespace, then
    /// `metric_filterlist`, in the reference's order. False when the filter
    /// list drops the metric. Out of line: the hot path pays one branch
    /// when none is configured.
    @inline(never)
    private func rename(_ name: inout NameChoice) -> Bool {
        if let mapper, let result = mapper.map(name.raw, hash: name.hash) {
            mappedNames.append(result)
            name.mapped = Int32(mappedNames.count - 1)
            name.raw = result.nameBytes
            name.hash = ContextKey.hash(name.raw)
        }
        guard renames else { return true }
        if namer.namespaceApplies(to: name.raw) { name.prefix.insert(.namespace) }
        let full = namer.name(name.raw, prefix: name.prefix)
        if !namer.rules.filter.isEmpty, namer.rules.filter.matches(full) { return false }
        if !name.prefix.isEmpty { name.hash = ContextKey.hash(full) }
        return true
    }

    /// Appends the distribution twin of each sample pending from `first` on
    /// (the values of one histogram or timer message).
    @inline(never)
    private func appendDistributionCopies(from first: Int, name: NameChoice, hostHash: UInt64, tagsHash: UInt64) {
        let end = pending.count
        guard first < end else { return }
        var prefix = name.prefix
        prefix.insert(.distributionCopy)
        // Salted: with an empty prefix the copy has the histogram's own
        // name, and the sampler keys one context per name, host and tags.
        let key = ContextKey(nameHash: ContextKey.hash(namer.name(name.raw, prefix: prefix)),
                             hostHash: hostHash, tagsHash: tagsHash).value ^ Self.distributionCopySalt
        for i in first..<end {
            var c = pending.elements[i]
            c.namePrefix = prefix
            c.type = .distribution
            c.key = key
            pending.append(c)
        }
        copies += end - first
    }

    /// Adds the origins a message declares to `declaredOrigins`: its own
    /// (`|c:`, `|card:`, `dd.internal.card:`) and its pod's
    /// (`dd.internal.entity_id:`). Returns their indexes, -1 for none.
    @inline(never)
    private func declareOrigins(_ buf: UnsafeRawBufferPointer, _ metric: ParsedMetric, _ reserved: ReservedTags,
                                packetOrigin: OriginTags, pid: Int32) -> (Int32, Int32) {
        let cardinality = metric.cardinality ?? reserved.cardinality.flatMap { OriginCardinality(bytes: buf.slice($0)) }
        var declared: Int32 = -1
        var pod: Int32 = -1
        if originDetection, cardinality != nil || (packetOrigin.containerID == nil && !metric.containerID.isEmpty) {
            declaredOrigins.append(messageOrigin(containerID: metric.containerID.isEmpty ? nil : buf.slice(metric.containerID),
                                                 cardinality: cardinality, packetOrigin: packetOrigin, pid: pid))
            declared = Int32(declaredOrigins.count - 1)
        }
        if let entity = reserved.entityID, let tags = podTags(buf.slice(entity), cardinality: cardinality) {
            declaredOrigins.append(tags)
            pod = Int32(declaredOrigins.count - 1)
        }
        return (declared, pod)
    }

    /// The origin of one message that names its container (`|c:`, used when
    /// the socket could not tell) or its tag cardinality (`|card:`,
    /// `dd.internal.card:`).
    private func messageOrigin(containerID: UnsafeRawBufferPointer?, cardinality: OriginCardinality?,
                               packetOrigin: OriginTags, pid: Int32) -> OriginTags {
        var tagCardinality: TagCardinality?
        switch cardinality {
        case .none?: return .none
        case let .tags(c)?: tagCardinality = c
        case nil: tagCardinality = nil
        }
        if packetOrigin.containerID == nil, let containerID {
            return origins.origin(containerID: containerID, cardinality: tagCardinality)
        }
        return origins.origin(pid: pid, cardinality: tagCardinality)
    }

    /// The tags of the pod named by `dd.internal.entity_id:`, nil when none
    /// apply: the value `none` (clients' way of saying "no pod"),
    /// cardinality `none`, or a pod the tagger does not know (counted).
    private func podTags(_ uid: UnsafeRawBufferPointer, cardinality: OriginCardinality?) -> OriginTags? {
        if uid.isEmpty || cardinality == OriginCardinality.none { return nil }
        if uid.count == 4, OriginCardinality(bytes: uid) == OriginCardinality.none { return nil }
        var tagCardinality: TagCardinality?
        if case let .tags(c)? = cardinality { tagCardinality = c }
        let pod = origins.origin(podUID: uid, cardinality: tagCardinality)
        return pod.tags.isEmpty ? nil : pod
    }

    // MARK: phase 2, under the lock

    private func apply(_ buf: UnsafeRawBufferPointer, origin packetOrigin: OriginTags, now: Double, sampler: TimeSampler) {
        for sample in pending.elements {
            // A local function, not a closure value: a stored closure would be
            // heap-allocated on every call, and this runs once per metric.
            func makeContext() -> (name: String, tags: [String], host: String) {
                let origin = sample.declaredOrigin < 0 ? packetOrigin : declaredOrigins[Int(sample.declaredOrigin)]
                let pod = sample.podOrigin < 0 ? nil : declaredOrigins[Int(sample.podOrigin)]
                let mapped = sample.mapped < 0 ? nil : mappedNames[Int(sample.mapped)]
                let base = mapped?.name ?? buf.string(sample.name)
                let name = sample.namePrefix.isEmpty ? base : namer.prefixStrings[Int(sample.namePrefix.rawValue)] + base
                return (name, tagStrings(buf, sample.tags, origin: origin, pod: pod, mapped: mapped),
                        sample.hostFromTag ? buf.string(sample.host) : hostname)
            }
            let key = ContextKey(value: sample.key)
            var originKey = packetOriginKey
            if sample.declaredOrigin >= 0, declaredOrigins[Int(sample.declaredOrigin)].originKey != 0 {
                originKey = declaredOrigins[Int(sample.declaredOrigin)].originKey
            }
            if sample.type == .set {
                sampler.addSetMember(key: key, memberHash: sample.memberHash, time: now, origin: originKey,
                                     makeContext: makeContext)
            } else if sample.timestamp != 0 {
                // Only gauges and counts get here with `|T` (the parser refuses the other types).
                let parts = makeContext()
                sampler.addTimestamped(name: parts.name, tags: parts.tags, host: parts.host, type: sample.type,
                                       value: sample.value, timestamp: sample.timestamp)
            } else {
                sampler.add(key: key, type: sample.type, value: sample.value, sampleRate: sample.sampleRate, time: now,
                            origin: originKey, makeContext: makeContext)
            }
        }
    }

    private func tagStrings(_ buf: UnsafeRawBufferPointer, _ tags: ByteRange, origin: OriginTags, pod: OriginTags?,
                            mapped: MappedName?) -> [String] {
        var out = origin.tags
        if let pod { out += pod.tags }
        out += extraTags.tags
        if let mapped { out += mapped.tags }
        var reserved = ReservedTags()
        buf.forEachClientTag(in: tags, reserved: &reserved) { out.append(buf.string($0)) }
        return Tags.normalized(out)
    }

    // MARK: events and service checks

    private func parseEvent(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, origin: OriginTags, pid: Int32, now: Double) {
        switch EventParser.parse(buf, line, defaultHost: hostname, now: Int64(now)) {
        case let .failure(reason):
            counters.count(reason)
        case let .success(parsed):
            for _ in 0..<parsed.ignoredFields { counters.count(.ignoredEventField) }
            var event = parsed.event
            event.tags = tags(of: parsed.client, packetOrigin: origin, pid: pid)
            events.append(event)
        }
    }

    private func parseServiceCheck(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, origin: OriginTags, pid: Int32,
                                   now: Double) {
        switch ServiceCheckParser.parse(buf, line, defaultHost: hostname, now: Int64(now)) {
        case let .failure(reason):
            counters.count(reason)
        case let .success(parsed):
            for _ in 0..<parsed.ignoredFields { counters.count(.ignoredServiceCheckField) }
            var check = parsed.check
            check.tags = tags(of: parsed.client, packetOrigin: origin, pid: pid)
            serviceChecks.append(check)
        }
    }

    /// An event's or service check's tags: the client's and its origin's, resolved as for metrics.
    private func tags(of client: ClientFields, packetOrigin: OriginTags, pid: Int32) -> [String] {
        var origin = packetOrigin
        var containerID = client.containerID ?? ""
        if originDetection, client.cardinality != nil || (packetOrigin.containerID == nil && !containerID.isEmpty) {
            origin = containerID.withUTF8 { bytes in
                messageOrigin(containerID: bytes.isEmpty ? nil : UnsafeRawBufferPointer(bytes),
                              cardinality: client.cardinality, packetOrigin: packetOrigin, pid: pid)
            }
        }
        var out = client.tags + origin.tags + extraTags.tags
        if var uid = client.entityID {
            let pod = uid.withUTF8 { podTags(UnsafeRawBufferPointer($0), cardinality: client.cardinality) }
            if let pod { out += pod.tags }
        }
        return Tags.normalized(out)
    }
}

/// `dogstatsd_tags_per_sample_limit` and `dogstatsd_tag_length_limit`: a
/// metric message beyond either is dropped and counted, before it can make
/// a context of them.
struct TagLimits: Sendable, Equatable {
    var perSample = 100
    var bytesPerTag = 1024
}
