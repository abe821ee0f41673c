import CVigilModule
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
    /// stride, copied into a zeroed struct of today's size, so fields a
    /// module compiled against an older header does not have read as zero.
    func submit(_ metrics: UnsafePointer<vigil_metric>, count: Int) -> vigil_status {
        let stride = Int(metrics.pointee.struct_size)
        guard stride >= Self.metricSize10 else {
            droppedSamples.add(count, ordering: .relaxed)
            return VIGIL_ERROR_INVALID
        }
        let copied = min(stride, MemoryLayout<vigil_metric>.size)
        var dropped = 0
        let base = UnsafeRawPointer(metrics)
        sampler.addBatch { add in
            var m = vigil_metric()
            for i in 0..<count {
                withUnsafeMutableBytes(of: &m) { $0.copyMemory(from: UnsafeRawBufferPointer(start: base + i * stride, count: copied)) }
                guard let name = m.name, m.value.isFinite, let type = CheckMetricType(rawValue: m.type) else {
                    dropped += 1
                    continue
                }
                submitOne(m, name: name, type: type, add)
            }
        }
        if dropped > 0 {
            droppedSamples.add(dropped, ordering: .relaxed)
            return VIGIL_ERROR_INVALID
        }
        return VIGIL_OK
    }

    @inline(__always)
    private func submitOne(_ m: vigil_metric, name: UnsafePointer<CChar>, type: CheckMetricType,
                           _ add: CheckSampler.AddFunction) {
        let nameHash = ContextKey.hash(UnsafeRawBufferPointer(start: name, count: strlen(name)))
        let hostHash: UInt64
        if let host = m.hostname {
            hostHash = ContextKey.hash(UnsafeRawBufferPointer(start: host, count: strlen(host)))
        } else {
            hostHash = agentHostHash
        }
        let tagCount = m.tags == nil ? 0 : Int(m.tag_count)
        let total = tagCount + instanceTagHashes.count
        let tagsHash = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(total, 1)) { buf -> UInt64 in
            var n = 0
            if let tags = m.tags {
                for t in 0..<tagCount {
                    guard let tag = tags[t] else { continue }
                    buf[n] = ContextKey.tagHash(UnsafeRawBufferPointer(start: tag, count: strlen(tag)))
                    n += 1
                }
            }
            for h in instanceTagHashes {
                buf[n] = h
                n += 1
            }
            return ContextKey.combine(tagHashes: UnsafeMutableBufferPointer(rebasing: buf[0..<n]))
        }
        let key = ContextKey(nameHash: nameHash, hostHash: hostHash, tagsHash: tagsHash)
        add(key, type, m.value, m.flags & VIGIL_METRIC_FLUSH_FIRST_VALUE != 0, m.series_epoch) {
            let tags = readCStrings(m.tags, UInt32(tagCount)) + instanceTags
            let host = m.hostname.map { String(cString: $0) } ?? services.hostname
            return (String(cString: name), Tags.normalized(tags), host)
        }
    }

    func allTags(_ tags: UnsafePointer<UnsafePointer<CChar>?>?, _ count: UInt32) -> [String] {
        Tags.normalized(readCStrings(tags, count) + instanceTags)
    }

    func host(_ p: UnsafePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? services.hostname }

    // MARK: configuration

    func configValue(scope: vigil_config_scope, key: String) -> ConfigNode? {
        switch scope {
        case VIGIL_CONFIG_AGENT: HostContext.isSecret(key) ? nil : services.config.value(key)
        case VIGIL_CONFIG_INIT_CONFIG: initConfig.lookup(path: key)
        case VIGIL_CONFIG_INSTANCE: instance.lookup(path: key)
        default: nil
        }
    }

    /// Agent settings a module never reads: credentials stay in the core.
    static func isSecret(_ key: String) -> Bool {
        let last = key.split(separator: ".").last.map { $0.lowercased() } ?? ""
        return last == "api_key" || last.hasSuffix("_api_key") || last.hasSuffix("password") || last.hasSuffix("token")
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
