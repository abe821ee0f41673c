import Foundation
import Logging
import Synchronization
import VigilConfig
import VigilModel

/// Collector instances that run only while a gate is open (`wait_for_gate:
/// NAME` in an instance or in init_config). While the gate is dormant the
/// instance does not exist: the module is loaded but never configured. When
/// the gate opens it is configured and started; when the gate has closed
/// (dormant again) it is stopped and destroyed, which returns its memory.
/// Everything happens on the gate registry's serial queue.
public final class GatedCollectors: @unchecked Sendable {
    public struct Pending: Sendable {
        public var module: LoadedModule
        public var check: CheckConfig
        public var instance: InstanceConfig
        public var gate: String

        public init(module: LoadedModule, check: CheckConfig, instance: InstanceConfig, gate: String) {
            self.module = module
            self.check = check
            self.instance = instance
            self.gate = gate
        }
    }

    private final class Slot: @unchecked Sendable {
        let pending: Pending
        var live: ModuleInstance?
        var starts = 0
        var stops = 0
        var lastError: String?
        init(_ pending: Pending) { self.pending = pending }
    }

    private let gates: GateRegistry
    private let services: HostServices
    private let logger: Logger
    private let lock = NSLock()
    // Guarded by lock.
    private var slots: [Slot] = []
    private var observers: [UInt64] = []
    private var stopped = false

    public init(gates: GateRegistry, services: HostServices, logger: Logger) {
        self.gates = gates
        self.services = services
        self.logger = logger
    }

    /// The gate an instance waits for, if it names one: the instance's
    /// `wait_for_gate`, else init_config's.
    public static func gate(of check: CheckConfig, _ instance: InstanceConfig) -> String? {
        let name = instance.node["wait_for_gate"]?.string ?? check.initConfig["wait_for_gate"]?.string
        return name.flatMap { $0.isEmpty ? nil : $0 }
    }

    public func add(_ pending: Pending) {
        lock.withLock { slots.append(Slot(pending)) }
    }

    /// Starts following each gate the added instances wait for.
    public func activate() {
        let names = lock.withLock { Set(slots.map(\.pending.gate)) }
        for name in names.sorted() {
            let id = gates.observe(name) { [weak self] state in self?.apply(gate: name, state: state) }
            lock.withLock { observers.append(id) }
        }
    }

    /// Instances running now (their samples are flushed with the others).
    public var liveInstances: [ModuleInstance] { lock.withLock { slots.compactMap(\.live) } }

    public var isEmpty: Bool { lock.withLock { slots.isEmpty } }

    private func apply(gate name: String, state: GateState) {
        let mine = lock.withLock { stopped ? [] : slots.filter { $0.pending.gate == name } }
        for slot in mine {
            if state == .dormant { retire(slot, because: "gate \(name) closed") } else { launch(slot, gate: name) }
        }
    }

    private func launch(_ slot: Slot, gate: String) {
        guard lock.withLock({ slot.live == nil }) else { return }
        let p = slot.pending
        do {
            let instance = try ModuleInstance(module: p.module, check: p.check, instance: p.instance, services: services)
            do {
                try instance.start()
            } catch {
                instance.destroy()
                throw error
            }
            lock.withLock {
                slot.live = instance
                slot.starts += 1
                slot.lastError = nil
            }
            logger.info("gate \(gate) open: collector \(p.instance.id) started")
        } catch {
            lock.withLock { slot.lastError = "\(error)" }
            logger.error("gate \(gate) open, but collector \(p.instance.id) could not start: \(error)")
        }
    }

    private func retire(_ slot: Slot, because why: String) {
        guard let instance = lock.withLock({ () -> ModuleInstance? in
            defer { slot.live = nil }
            return slot.live
        }) else { return }
        instance.destroy()
        lock.withLock { slot.stops += 1 }
        // What the instance freed goes back to the system, not only to malloc's free lists: now,
        // and again once the store's subscribers (the tagger, autodiscovery) have digested the
        // withdrawals it caused.
        Self.trimMalloc()
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) { Self.trimMalloc() }
        logger.info("\(why): collector \(slot.pending.instance.id) stopped and destroyed")
    }

    /// glibc's malloc_trim(0), looked up at run time (Swift's Glibc module does not declare it).
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()

    static func trimMalloc() { _ = mallocTrim?(0) }

    /// Stops and destroys every running instance and follows no gate any more.
    public func shutdown() {
        let (ids, all) = lock.withLock { () -> ([UInt64], [Slot]) in
            stopped = true
            defer { observers.removeAll() }
            return (observers, slots)
        }
        for id in ids { gates.stopObserving(id) }
        gates.drain()
        for slot in all { retire(slot, because: "shutdown") }
    }

    /// The collectors waiting on `gate`, for `vigil status`.
    public func statusJSON(gate: String) -> [JSONValue] {
        lock.withLock {
            slots.filter { $0.pending.gate == gate }.map { slot in
                .object([
                    ("instance", .string(slot.pending.instance.id)), ("check", .string(slot.pending.check.checkName)),
                    ("running", .bool(slot.live != nil)), ("starts", .int(Int64(slot.starts))),
                    ("stops", .int(Int64(slot.stops))), ("last_error", slot.lastError.map { .string($0) } ?? .null),
                ])
            }
        }
    }
}
