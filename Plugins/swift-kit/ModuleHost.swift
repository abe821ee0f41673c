import CVigilModule
import VigilEntities

/// Severity of a line a module writes to the agent's log (vigil_log_level).
public enum ModuleLogLevel: UInt32, Sendable { case trace = 0, debug, info, warn, error }

/// A Swift module's view of the host table for one instance: every host
/// function with Swift types, so a module never handles C strings itself.
/// Valid from configure() until destroy() returns, as the table is.
public struct ModuleHost: @unchecked Sendable {
    public let api: UnsafePointer<vigil_host_api>
    public let handle: OpaquePointer
    /// The source name entities are published under, usually the module's name.
    public let source: String

    public init(api: UnsafePointer<vigil_host_api>, handle: OpaquePointer, source: String) {
        self.api = api
        self.handle = handle
        self.source = source
    }

    // MARK: entities

    /// Publishes (adds or replaces) this source's report of an entity. False when the host refused it.
    @discardableResult
    public func publish(_ entity: Entity) -> Bool {
        let arena = CArena()
        let status = api.pointee.publish_entity(handle, source, EntityConversion.toC(entity, arena))
        if status != VIGIL_OK { log(.debug, "publish \(entity.kind.name) \(entity.id): host answered status \(status.rawValue)") }
        return status == VIGIL_OK
    }

    /// Withdraws this source's report; an entity the store already forgot is not an error.
    public func remove(_ kind: EntityKind, id: String) {
        let status = api.pointee.remove_entity(handle, source, vigil_entity_kind(UInt32(kind.rawValue)), id)
        if status != VIGIL_OK && status != VIGIL_ERROR_NOT_FOUND {
            log(.debug, "remove \(kind.name) \(id): host answered status \(status.rawValue)")
        }
    }

    /// The merged entity as the store holds it, or nil.
    public func entity(_ kind: EntityKind, id: String) -> Entity? {
        var found: Entity?
        withUnsafeMutablePointer(to: &found) { out in
            _ = api.pointee.get_entity(handle, vigil_entity_kind(UInt32(kind.rawValue)), id, { user, entity in
                guard let user, let entity else { return }
                user.assumingMemoryBound(to: Entity?.self).pointee = EntityConversion.fromC(entity)
            }, out)
        }
        return found
    }

    /// Every entity of a kind, from one consistent snapshot of the store.
    public func entities(_ kind: EntityKind) -> [Entity] {
        var found: [Entity] = []
        withUnsafeMutablePointer(to: &found) { out in
            _ = api.pointee.list_entities(handle, vigil_entity_kind(UInt32(kind.rawValue)), { user, entity in
                guard let user, let entity, let converted = EntityConversion.fromC(entity) else { return }
                user.assumingMemoryBound(to: [Entity].self).pointee.append(converted)
            }, out)
        }
        return found
    }

    /// Tags the tagger holds for an entity id ("container_id://…", "image_id://…"), or nil when unknown.
    public func tags(of entityID: String, cardinality: vigil_cardinality = VIGIL_CARDINALITY_LOW) -> [String]? {
        var found: [String]?
        withUnsafeMutablePointer(to: &found) { out in
            _ = api.pointee.entity_tags(handle, entityID, cardinality, { user, tags, count in
                guard let user else { return }
                user.assumingMemoryBound(to: [String]?.self).pointee = readCStrings(tags, UInt32(count))
            }, out)
        }
        return found
    }

    /// Tells the host the first full synchronisation is done (`vigil check` waits for it).
    public func setReady() { api.pointee.set_ready(handle) }

    // MARK: metrics

    /// Submits gauges (name, value, tags); the instance's tags are added by the host.
    /// False when the host dropped any of them.
    @discardableResult
    public func submitGauges(_ gauges: [(name: String, value: Double, tags: [String])]) -> Bool {
        guard !gauges.isEmpty else { return true }
        let arena = CArena()
        let metrics = arena.allocate(vigil_metric.self, count: gauges.count)
        for (i, gauge) in gauges.enumerated() {
            var m = vigil_metric()
            m.struct_size = UInt32(MemoryLayout<vigil_metric>.size)
            m.type = UInt32(VIGIL_METRIC_GAUGE.rawValue)
            m.name = arena.string(gauge.name)
            m.value = gauge.value
            m.tags = arena.strings(gauge.tags)
            m.tag_count = UInt32(gauge.tags.count)
            (metrics + i).initialize(to: m)
        }
        return api.pointee.submit_metrics(handle, metrics, gauges.count) == VIGIL_OK
    }

    // MARK: gates (ABI 1.3)

    /// What the host answered to a gate call.
    public enum GateAnswer: Sendable, Equatable {
        /// The gate exists; its state now (0 dormant, 1 open, 2 closing).
        case declared(UInt32)
        /// The configuration declares no such gate: it reads as open.
        case undeclared
        /// The host is older than ABI 1.3.
        case unsupported
    }

    /// True when the host table has the 1.3 gate functions.
    public var hasGates: Bool {
        let end = MemoryLayout<vigil_host_api>.offset(of: \vigil_host_api.gate_state)! + MemoryLayout<UnsafeRawPointer>.size
        return Int(api.pointee.struct_size) >= end && api.pointee.gate_set != nil && api.pointee.gate_state != nil
    }

    /// Opens (or lets go of) a gate on behalf of this instance, with a reason shown in `vigil status`.
    @discardableResult
    public func setGate(_ name: String, open: Bool, reason: String) -> GateAnswer {
        guard hasGates else { return .unsupported }
        let status = api.pointee.gate_set(handle, name, open ? 1 : 0, reason)
        if status == VIGIL_ERROR_NOT_FOUND { return .undeclared }
        return gateState(name)
    }

    public func gateState(_ name: String) -> GateAnswer {
        guard hasGates else { return .unsupported }
        var state: UInt32 = 0
        let status = api.pointee.gate_state(handle, name, &state)
        return status == VIGIL_OK ? .declared(state) : .undeclared
    }

    // MARK: connection state (ABI 1.5)

    /// True when the host table has `report_connection`.
    public var hasConnectionReports: Bool {
        let end = MemoryLayout<vigil_host_api>.offset(of: \vigil_host_api.report_connection)! + MemoryLayout<UnsafeRawPointer>.size
        return Int(api.pointee.struct_size) >= end && api.pointee.report_connection != nil
    }

    /// Tells the host whether this instance reaches what it collects from; an older host ignores it.
    public func reportConnection(_ connected: Bool, detail: String) {
        guard hasConnectionReports else { return }
        _ = api.pointee.report_connection(handle, connected ? 1 : 0, detail)
    }

    // MARK: log and configuration

    public func log(_ level: ModuleLogLevel, _ message: String) {
        api.pointee.log(handle, vigil_log_level(rawValue: level.rawValue), message)
    }

    /// A configuration value as text (lists and maps as JSON): the instance
    /// first, then the agent configuration; nil when neither has the key.
    public func configValue(_ key: String) -> String? {
        configValue(key, scope: VIGIL_CONFIG_INSTANCE) ?? configValue(key, scope: VIGIL_CONFIG_AGENT)
    }

    public func configValue(_ key: String, scope: vigil_config_scope) -> String? {
        let length = api.pointee.config_value(handle, scope, key, nil, 0)
        // (size_t)-1 in C means "no such key"; size_t imports into Swift as Int.
        if length < 0 { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        _ = api.pointee.config_value(handle, scope, key, &buffer, buffer.count)
        return String(cString: buffer)
    }

    /// The agent's hostname.
    public var hostname: String {
        let length = api.pointee.hostname(handle, nil, 0)
        var buffer = [CChar](repeating: 0, count: length + 1)
        _ = api.pointee.hostname(handle, &buffer, buffer.count)
        return String(cString: buffer)
    }
}

/// Where a collector's entities go: the host table in production, a recorder in tests.
public protocol EntityPublisher: Sendable {
    @discardableResult func publish(_ entity: Entity) -> Bool
    func remove(_ kind: EntityKind, id: String)
    func setReady()
    func log(_ level: ModuleLogLevel, _ message: String)
    /// Whether the collector reaches its source (containerd, an API server), and where or why not.
    func reportConnection(_ connected: Bool, detail: String)
}

extension ModuleHost: EntityPublisher {}
