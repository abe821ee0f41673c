import CVigilModule
import VigilSwiftModuleKit
import Foundation
import Logging
import Synchronization
import VigilAggregation
import VigilConfig
import VigilModel

/// The host side of one module instance: what a `vigil_host *` points to.
/// Everything here is safe to call from any thread.
public final class HostContext: Sendable {
    public let services: HostServices
    public let moduleName: String
    public let checkName: String
    public let instanceID: String
    public let sampler: CheckSampler
    let instanceTags: [String]
    let instanceTagHashes: [UInt64]
    let agentHostHash: UInt64
    let emptyHostHash: UInt64
    let initConfig: ConfigNode
    let instance: ConfigNode
    let logger: Logger
    /// Warnings logged by the module since the last `takeWarnings`.
    let warnings = Mutex<[String]>([])
    let droppedSamples = Atomic<Int>(0)
    let ready = Atomic<Bool>(false)
    /// What `report_connection` said last (ABI 1.5); nil until it is called.
    let connection = Mutex<ConnectionState?>(nil)
    let subscriptions = Mutex<Set<UInt64>>([])

    init(services: HostServices, moduleName: String, checkName: String, instance: InstanceConfig,
         initConfig: ConfigNode) {
        self.services = services
        self.moduleName = moduleName
        self.checkName = checkName
        self.instanceID = instance.id
        self.instanceTags = instance.tags
        self.instanceTagHashes = instance.tags.map { ContextKey.tagHash($0) }
        self.sampler = CheckSampler(hostname: services.hostname)
        self.agentHostHash = ContextKey.hash(services.hostname)
        self.emptyHostHash = ContextKey.hash("")
        self.initConfig = initConfig
        self.instance = instance.node
        var logger = services.logger
        logger[metadataKey: "check"] = "\(instance.id)"
        self.logger = logger
    }

    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ host: OpaquePointer) -> HostContext {
        Unmanaged<HostContext>.fromOpaque(UnsafeRawPointer(host)).takeUnretainedValue()
    }

    func takeWarnings() -> [String] { warnings.withLock { w in defer { w.removeAll() }; return w } }

    var isReady: Bool { ready.load(ordering: .acquiring) }

    // MARK: metrics

    /// Size of a 1.0 `vigil_metric`: every field up to `hostname`. Samples
    /// this small carry no series epoch and read as epoch 0.
    static let metricSize10 = MemoryLayout<vigil_metric>.offset(of: \vigil_metric.series_epoch)!

    /// The hot path: hashes names and tags straight from C memory so a known
    /// context costs no allocation. Samples are read with the module's own
    /// stride. One of today's size or larger is read in place; a smaller one
    /// (a module compiled against an older header) is first copied into a
    /// zeroed struct, so the fields it does not have read as zero.
    func submit(_ metrics: UnsafePointer<vigil_metric>, count: Int) -> vigil_status {
        // Only the leading struct_size is read in place: a 1.0 array may end
        // before today's struct would.
        let base = UnsafeRawPointer(metrics)
        let stride = Int(base.load(as: UInt32.self))
        guard stride >= Self.metricSize10 else {
            droppedSamples.add(count, ordering: .relaxed)
            return VIGIL_ERROR_INVALID
        }
        var dropped = 0
        sampler.addBatch { add in
            if stride >= MemoryLayout<vigil_metric>.size {
                for i in 0..<count {
                    let m = (base + i * stride).assumingMemoryBound(to: vigil_metric.self)
                    if !submitOne(m, add) { dropped += 1 }
                }
            } else {
                var local = vigil_metric()
                for i in 0..<count {
                    let sample = UnsafeRawBufferPointer(start: base + i * stride, count: stride)
                    withUnsafeMutableBytes(of: &local) { $0.copyMemory(from: sample) }
                    if !withUnsafePointer(to: &local, { submitOne($0, add) }) { dropped += 1 }
                }
            }
        }
        if dropped > 0 {
            droppedSamples.add(dropped, ordering: .relaxed)
            return VIGIL_ERROR_INVALID
        }
        return VIGIL_OK
    }

    /// One sample; false when it is dropped (no name, not finite, unknown type).
    @inline(__always)
    private func submitOne(_ p: UnsafePointer<vigil_metric>, _ add: CheckSampler.AddFunction) -> Bool {
        guard let name = p.pointee.name, p.pointee.value.isFinite,
              let type = CheckMetricType(rawValue: p.pointee.type) else { return false }
        let nameBytes = UnsafeRawBufferPointer(start: name, count: strlen(name))
        guard !ControlBytes.contained(in: nameBytes) else { return false }
        let nameHash = ContextKey.hash(nameBytes)
        let hostHash: UInt64
        if let host = p.pointee.hostname {
            hostHash = ContextKey.hash(UnsafeRawBufferPointer(start: host, count: strlen(host)))
        } else {
            hostHash = agentHostHash
        }
        let tagCount = p.pointee.tags == nil ? 0 : Int(p.pointee.tag_count)
        let total = tagCount + instanceTagHashes.count
        let tagsHash = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(total, 1)) { buf -> UInt64? in
            var n = 0
            if let tags = p.pointee.tags {
                for t in 0..<tagCount {
                    guard let tag = tags[t] else { continue }
                    let bytes = UnsafeRawBufferPointer(start: tag, count: strlen(tag))
                    guard !ControlBytes.contained(in: bytes) else { return nil }
                    buf[n] = ContextKey.tagHash(bytes)
                    n += 1
                }
            }
            for h in instanceTagHashes {
                buf[n] = h
                n += 1
            }
            return ContextKey.combine(tagHashes: UnsafeMutableBufferPointer(rebasing: buf[0..<n]))
        }
        guard let tagsHash else { return false }
        let key = ContextKey(nameHash: nameHash, hostHash: hostHash, tagsHash: tagsHash)
        add(key, type, p.pointee.value, p.pointee.flags & VIGIL_METRIC_FLUSH_FIRST_VALUE != 0, p.pointee.series_epoch) {
            let tags = readCStrings(p.pointee.tags, UInt32(tagCount)) + instanceTags
            let host = p.pointee.hostname.map { String(cString: $0) } ?? services.hostname
            return (String(cString: name), Tags.normalized(tags), host)
        }
        return true
    }

    func allTags(_ tags: UnsafePointer<UnsafePointer<CChar>?>?, _ count: UInt32) -> [String] {
        Tags.normalized(readCStrings(tags, count) + instanceTags)
    }

    func host(_ p: UnsafePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? services.hostname }

    // MARK: configuration

    func configValue(scope: vigil_config_scope, key: String) -> ConfigNode? {
        switch scope {
        // Credentials stay in the core: a secret key reads as absent, and a map or list that holds
        // one (a section, or the whole file for "" or ".") comes with it redacted.
        // run_path is answered resolved (the default, or a path relative to the configuration
        // file's folder): a module keeping its own files there cannot know that folder.
        case VIGIL_CONFIG_AGENT where key == "run_path": ConfigNode.string(services.config.runPath)
        case VIGIL_CONFIG_AGENT: SecretKeys.isSecret(key) ? nil : services.config.value(key).map(SecretKeys.redacted)
        case VIGIL_CONFIG_INIT_CONFIG: initConfig.lookup(path: key)
        case VIGIL_CONFIG_INSTANCE: instance.lookup(path: key)
        default: nil
        }
    }

    /// Keeps the state and when it changed; logs each change.
    func reportConnection(connected: Bool, detail: String) {
        let changed = connection.withLock { state -> Bool in
            if state?.connected == connected {
                state?.detail = detail
                return false
            }
            state = ConnectionState(connected: connected, detail: detail, since: WallClock.now())
            return true
        }
        guard changed else { return }
        // Info, not a warning: the module itself says what went wrong, once.
        logger.info("[\(moduleName)] \(connected ? "connected" : "disconnected"): \(detail)")
    }

    func log(_ level: vigil_log_level, _ message: String) {
        let text = "[\(moduleName)] \(message)"
        switch level {
        case VIGIL_LOG_TRACE: logger.trace("\(text)")
        case VIGIL_LOG_DEBUG: logger.debug("\(text)")
        case VIGIL_LOG_INFO: logger.info("\(text)")
        case VIGIL_LOG_WARN:
            warnings.withLock { $0.append(message) }
            logger.warning("\(text)")
        default: logger.error("\(text)")
        }
    }
}

/// A collector's connection to its source, as it last reported it.
public struct ConnectionState: Sendable, Equatable {
    public var connected: Bool
    public var detail: String
    /// Unix seconds of the last change between connected and not.
    public var since: Double

    public var json: JSONValue {
        .object([("state", .string(connected ? "connected" : "disconnected")), ("since", .double(since.rounded())),
                 ("detail", .string(detail))])
    }
}
