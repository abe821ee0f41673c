import CVigilSystem
import Foundation
import Synchronization
import VigilAggregation
import VigilConfig
import VigilDogStatsDProtocol
import VigilModel

/// The DogStatsD intake: listeners on a Unix datagram socket, an optional
/// Unix stream socket and UDP; workers that parse, tag by origin and
/// aggregate into 10-second buckets; `flush` hands over complete buckets.
///
/// By default each socket's reader thread parses what it receives in place
/// (`dogstatsd_pipeline_count: 0`): no copy, no hand-off, and the socket's
/// receive buffer is the only queue, whose overflow the kernel counts. With
/// workers (`dogstatsd_pipeline_count` ≥ 1), readers copy packets into a
/// bounded ring that the workers drain, so a burst either fits or is
/// dropped and counted.
public final class DogStatsDServer: FlushSource, StatusReporting, @unchecked Sendable {
    public let hostname: String
    /// Where the datagram socket is (or will be) bound; nil when disabled.
    public var socketPath: String? { settings.socketPath }
    public var streamSocketPath: String? { settings.streamSocketPath }
    /// The configured UDP port, 0 when UDP is off.
    public var udpPort: Int { settings.port }

    private let settings: DogStatsDSettings
    private let tagProvider: TagProvider?
    private let counters = DogStatsDCounters()
    private let shared: SharedAggregator
    /// The queue to the workers; nil when the readers parse in place.
    private let ring: PacketRing?
    private var listenerCounters: [ListenerCounters] = []
    private var datagramListeners: [DatagramListener] = []
    private var streamListener: StreamListener?
    private var workers: [JoinableThread] = []
    private let lifecycle = Mutex<Lifecycle>(.idle)
    /// How long the last flush held the aggregator (and so paused readers that parse in place).
    private let lastFlushLockNanoseconds = Atomic<Int>(0)
    /// For `ingest`: packets handed over in-process rather than through a socket.
    private let directCounters = ListenerCounters(name: "direct")
    private lazy var directProcessor = makeProcessor(listeners: [directCounters])

    private enum Lifecycle { case idle, running, stopped }
    /// Set by `start`, before the listeners exist.
    private var health: HealthRegistry?
    /// A reader wakes at least every 0.2 s (its receive timeout); 10 s without a pass means it is stuck.
    static let readerDeadline = 10.0

    public init(config: AgentConfig, hostname: String, tagProvider: TagProvider?) throws {
        settings = try DogStatsDSettings(config: config)
        self.hostname = hostname
        self.tagProvider = tagProvider
        shared = SharedAggregator(sampler: TimeSampler(interval: 10, counterExpirySeconds: Int64(settings.expirySeconds),
                                                       limits: settings.contextLimits))
        ring = settings.workers == 0 ? nil : PacketRing(capacity: settings.queueSize, slotSize: settings.bufferSize)
    }

    /// Opens the sockets (any failure closes the ones already open and
    /// throws), then starts readers and workers.
    /// Each socket reader beats into `health` (when given) every pass of its loop.
    public func start(health: HealthRegistry? = nil) throws {
        try lifecycle.withLock { state throws(DogStatsDError) in
            guard state == .idle else { return }
            self.health = health
            try openListeners()
            for i in 0..<settings.workers {
                guard let ring else { break }
                let processor = makeProcessor(listeners: listenerCounters)
                workers.append(JoinableThread(name: "dogstatsd-worker-\(i)") { Self.work(ring: ring, processor: processor) })
            }
            for listener in datagramListeners { listener.start() }
            state = .running
        }
    }

    private func openListeners() throws(DogStatsDError) {
        var opened: [Int32] = []
        do {
            if let path = settings.socketPath {
                let (fd, queue) = try UnixDatagramQueue.creating(wanted: settings.socketQueueLength) { () throws(DogStatsDError) in
                    try SocketSupport.bindUnix(path: path, type: Int32(SOCK_DGRAM.rawValue), mode: 0o722)
                }
                opened.append(fd)
                if settings.originDetection { vigil_enable_passcred(fd) }
                SocketSupport.setReceiveBuffer(fd, bytes: settings.receiveBufferBytes)
                var details: [(String, JSONValue)] = [("socket_queue_length", .int(Int64(queue.length)))]
                if let note = queue.note { details.append(("socket_queue_note", .string(note))) }
                addDatagramListener(fd: fd, counters: ListenerCounters(name: "uds_datagram", address: path, details: details))
            }
            if let path = settings.streamSocketPath {
                let fd = try SocketSupport.bindUnix(path: path, type: Int32(SOCK_STREAM.rawValue), mode: 0o722)
                opened.append(fd)
                let counters = ListenerCounters(name: "uds_stream", address: path)
                listenerCounters.append(counters)
                // A connection's processor only counts into this listener, the last of the snapshot.
                let snapshot = listenerCounters
                let delivery: ReaderDelivery<() -> MessageProcessor> = ring.map { .queue($0) }
                    ?? .parse { [unowned self] in self.makeProcessor(listeners: snapshot) }
                let listener = StreamListener(fd: fd, index: UInt8(listenerCounters.count - 1), counters: counters,
                                              serverCounters: self.counters, delivery: delivery,
                                              maxFrame: settings.bufferSize,
                                              heartbeat: health?.register("dogstatsd.\(counters.name)",
                                                                          deadline: Self.readerDeadline))
                try listener.start()
                streamListener = listener
            }
            if settings.port > 0 {
                let fd = try SocketSupport.bindUDP(port: settings.port, anyAddress: settings.nonLocalTraffic)
                opened.append(fd)
                SocketSupport.setReceiveBuffer(fd, bytes: settings.receiveBufferBytes)
                vigil_enable_drop_count(fd)
                let host = settings.nonLocalTraffic ? "0.0.0.0" : "127.0.0.1"
                addDatagramListener(fd: fd, counters: ListenerCounters(name: "udp", address: "\(host):\(settings.port)"))
            }
        } catch {
            streamListener?.stop()
            streamListener = nil
            for fd in opened { close(fd) }
            datagramListeners = []
            listenerCounters = []
            throw error
        }
    }

    private func addDatagramListener(fd: Int32, counters: ListenerCounters) {
        let index = UInt8(listenerCounters.count)
        listenerCounters.append(counters)
        let delivery: ReaderDelivery<MessageProcessor> = ring.map { .queue($0) }
            ?? .parse(makeProcessor(listeners: listenerCounters))
        datagramListeners.append(DatagramListener(fd: fd, index: index, counters: counters, serverCounters: self.counters,
                                                  delivery: delivery, bufferSize: settings.bufferSize,
                                                  heartbeat: health?.register("dogstatsd.\(counters.name)",
                                                                              deadline: Self.readerDeadline)))
    }

    private func makeProcessor(listeners: [ListenerCounters]) -> MessageProcessor {
        MessageProcessor(
            hostname: hostname, counters: counters, listeners: listeners,
            origins: OriginResolver(tagProvider: tagProvider, cardinality: settings.tagCardinality, counters: counters),
            originDetection: settings.originDetection, shared: shared, extraTags: settings.extraTags,
            nameRules: settings.nameRules,
            mapper: settings.mapperProfiles.isEmpty ? nil
                : MetricMapper(profiles: settings.mapperProfiles, cacheSize: settings.mapperCacheSize),
            tagLimits: settings.tagLimits)
    }

    /// Parses and aggregates one packet on the calling thread, as a worker
    /// would: for benchmarks, fuzzing and tests. One caller at a time.
    /// `pid` is the sender's PID for origin detection, -1 for none.
    public func ingest(_ packet: UnsafeRawBufferPointer, pid: Int32 = -1, now: Double = WallClock.now()) {
        directCounters.packets.add(1, ordering: .relaxed)
        directProcessor.process(packet, listener: 0, pid: pid, now: now)
    }

    private static func work(ring: PacketRing, processor: MessageProcessor) {
        var packets: [PacketRing.Packet] = []
        packets.reserveCapacity(64)
        while ring.take(into: &packets, max: 64) {
            let now = WallClock.now()
            for packet in packets {
                processor.process(packet.bytes, listener: Int(packet.listener), pid: packet.pid, now: now)
            }
            ring.release(packets)
            packets.removeAll(keepingCapacity: true)
        }
    }

    /// Closes the sockets, lets workers finish what is queued and joins
    /// every thread. Afterwards `flush(now:force: true)` returns everything.
    public func stop() {
        lifecycle.withLock { state in
            guard state == .running else {
                state = .stopped
                return
            }
            for listener in datagramListeners { listener.stop() }
            streamListener?.stop()
            ring?.close()
            for worker in workers { worker.join() }
            for path in [settings.socketPath, settings.streamSocketPath].compactMap({ $0 }) { unlink(path) }
            state = .stopped
        }
    }

    /// Holds the aggregator only to take the closed windows out; the series
    /// are built after, so readers that parse in place pause only briefly.
    public func flush(now: Double, force: Bool) -> FlushBatch {
        var (closed, batch) = shared.state.withLock { state in
            let start = MonotonicClock.nanoseconds()
            let closed = state.sampler.collect(now: now, force: force)
            let pending = FlushBatch(serviceChecks: state.serviceChecks, events: state.events)
            state.events.removeAll()
            state.serviceChecks.removeAll()
            lastFlushLockNanoseconds.store(Int(MonotonicClock.nanoseconds() - start), ordering: .relaxed)
            return (closed, pending)
        }
        let built = closed.build()
        batch.series = built.series
        batch.sketches = built.sketches
        shared.state.withLock { $0.sampler.recycle(&closed) }
        return batch
    }

    // MARK: status

    /// One line per open listener for the log: its kind and where it listens.
    public var listenerDescriptions: [String] {
        listenerCounters.map { counters in
            let kind = ["uds_datagram": "Unix datagram socket", "uds_stream": "Unix stream socket", "udp": "UDP"][counters.name]
                ?? counters.name
            let queue = counters.details.first { $0.0 == "socket_queue_length" }.map { ", queue of \($0.1.serialized()) datagrams" } ?? ""
            let note = counters.details.first { $0.0 == "socket_queue_note" }.map { " (\(text($0.1)))" } ?? ""
            return "\(kind) \(counters.address)\(queue)\(note)"
        }
    }

    private func text(_ value: JSONValue) -> String {
        if case let .string(s) = value { return s }
        return value.serialized()
    }

    public var statusSectionName: String { "dogstatsd" }

    public func statusSnapshot() -> JSONValue {
        let (contexts, origins, drops, droppedEvents, droppedChecks) = shared.state.withLock {
            ($0.sampler.contextCount, $0.sampler.originCount, $0.sampler.drops, $0.droppedEvents, $0.droppedServiceChecks)
        }
        let pidZero = counters.pidZero.load(ordering: .relaxed)
        var fields: [(String, JSONValue)] = [
            ("listeners", .object(listenerCounters.map { ($0.name, $0.json) })),
            ("parse_errors", counters.json(droppingMessage: true)),
            ("ignored_fields", counters.json(droppingMessage: false)),
            ("pipeline", .string(ring == nil ? "parse on readers" : "\(settings.workers) worker(s) behind a queue")),
            ("queue_capacity", .int(Int64(ring?.capacity ?? 0))),
            ("queued_packets", .int(Int64(ring?.queued ?? 0))),
            ("live_contexts", .int(Int64(contexts))),
            ("context_limit", .int(Int64(settings.contextLimits.total))),
            ("context_limit_per_origin", .int(Int64(settings.contextLimits.perOrigin))),
            ("context_origins", .int(Int64(origins))),
            // Metric samples refused to keep memory bounded, by reason.
            ("dropped_samples", .object([
                ("context_limit", .int(Int64(drops.contextLimit))),
                ("origin_context_limit", .int(Int64(drops.originLimit))),
                ("timestamped_limit", .int(Int64(drops.timestampedLimit))),
                ("too_many_tags", .int(Int64(counters.tooManyTags.load(ordering: .relaxed)))),
                ("tag_too_long", .int(Int64(counters.tagTooLong.load(ordering: .relaxed)))),
            ])),
            ("last_flush_lock_ms", .double(Double(lastFlushLockNanoseconds.load(ordering: .relaxed)) / 1e6)),
            ("dropped_events", .int(Int64(droppedEvents))),
            ("dropped_service_checks", .int(Int64(droppedChecks))),
            ("origin_detection", .bool(settings.originDetection)),
            ("origin_hits", .int(Int64(counters.originHits.load(ordering: .relaxed)))),
            ("origin_misses", .int(Int64(counters.originMisses.load(ordering: .relaxed)))),
            ("origin_pid_zero", .int(Int64(pidZero))),
            ("entity_id_unresolved", .int(Int64(counters.entityIDUnresolved.load(ordering: .relaxed)))),
            ("filtered_metrics", .int(Int64(counters.filteredMetrics.load(ordering: .relaxed)))),
        ]
        if pidZero > 0 {
            fields.append(("origin_pid_zero_reason", .string(
                "some senders' PIDs read as 0: they run in a PID namespace Vigil cannot see, so their container is unknown; run Vigil in the host PID namespace (e.g. hostPID) to tag them")))
        }
        return .object(fields)
    }

    /// Status counters as plain numbers, for tests and benchmarks.
    public struct Totals: Sendable, Equatable {
        public var packets = 0, metrics = 0, events = 0, serviceChecks = 0, queueDrops = 0, kernelDrops = 0, parseErrors = 0
        public var liveContexts = 0
        /// Optional fields of events and service checks that did not parse (the messages were kept).
        public var ignoredFields = 0
        public var entityIDUnresolved = 0
        public var filteredMetrics = 0
        /// Metric samples dropped by the context and tag bounds, all reasons together.
        public var boundDrops = 0
        /// How long the last flush held the aggregator, in seconds.
        public var lastFlushLockSeconds = 0.0
    }

    /// How many messages (or, for the `ignored…` reasons, fields) were skipped for `reason`.
    public func count(of reason: ParseErrorReason) -> Int { counters.parseErrorCount(reason) }

    public func totals(listener: String? = nil) -> Totals {
        var t = Totals()
        for c in listenerCounters + [directCounters] where listener == nil || c.name == listener {
            t.packets += c.packets.load(ordering: .relaxed)
            t.metrics += c.metrics.load(ordering: .relaxed)
            t.events += c.events.load(ordering: .relaxed)
            t.serviceChecks += c.serviceChecks.load(ordering: .relaxed)
            t.queueDrops += c.queueDrops.load(ordering: .relaxed)
            t.kernelDrops += c.kernelDrops.load(ordering: .relaxed)
        }
        t.parseErrors = ParseErrorReason.allCases.filter(\.dropsMessage).reduce(0) { $0 + counters.parseErrorCount($1) }
        t.ignoredFields = ParseErrorReason.allCases.filter { !$0.dropsMessage }.reduce(0) { $0 + counters.parseErrorCount($1) }
        t.entityIDUnresolved = counters.entityIDUnresolved.load(ordering: .relaxed)
        t.filteredMetrics = counters.filteredMetrics.load(ordering: .relaxed)
        let drops: ContextDrops
        (t.liveContexts, drops) = shared.state.withLock { ($0.sampler.contextCount, $0.sampler.drops) }
        t.boundDrops = drops.contextLimit + drops.originLimit + drops.timestampedLimit
            + counters.tooManyTags.load(ordering: .relaxed) + counters.tagTooLong.load(ordering: .relaxed)
        t.lastFlushLockSeconds = Double(lastFlushLockNanoseconds.load(ordering: .relaxed)) / 1e9
        return t
    }
}
