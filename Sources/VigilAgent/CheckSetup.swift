import Foundation
import Synchronization
import Logging
import VigilConfig
import VigilModel
import VigilModules

/// Modules found on disk and the check instances conf.d asks for, built
/// into `ModuleInstance`s. Shared by `vigil run` and the one-shot commands.
public final class CheckSetup: @unchecked Sendable {
    public let modules: ModuleLoader.Result
    public let confd: ConfDirectory.Result
    /// Instances that configured successfully.
    public private(set) var instances: [ModuleInstance] = []
    /// Instances that could not be created: "file: reason".
    public private(set) var errors: [String] = []
    /// Collectors waiting for a declared gate: created when it opens (ABI 1.3).
    public private(set) var gated: GatedCollectors?

    public init(config: AgentConfig, logger: Logger) {
        modules = ModuleLoader.load(config: config, logger: logger)
        confd = ConfDirectory.load(paths: config.confdPath)
        for error in confd.errors { logger.error("configuration skipped: \(error)") }
    }

    /// Creates instances for every non-template config (optionally only the
    /// checks `names` plus all collectors, which checks may depend on).
    public func instantiate(services: HostServices, only names: Set<String>? = nil) {
        for check in confd.configs where !check.isTemplate {
            guard let module = modules.modules[check.checkName] else {
                if names == nil || names!.contains(check.checkName) {
                    record("\(check.sourceFile): no loaded module named \(check.checkName)", services.logger)
                }
                continue
            }
            if let names, !names.contains(check.checkName), !module.kinds.contains(.collector) { continue }
            for instance in check.instances {
                // A collector waiting for a declared gate is not configured until it opens;
                // one waiting for a gate nobody declared starts at once, as before.
                if module.kinds.contains(.collector), let gate = GatedCollectors.gate(of: check, instance),
                   services.gates.isDeclared(gate) {
                    if gated == nil { gated = GatedCollectors(gates: services.gates, services: services, logger: services.logger) }
                    gated!.add(.init(module: module, check: check, instance: instance, gate: gate))
                    continue
                }
                do {
                    instances.append(try ModuleInstance(module: module, check: check, instance: instance, services: services))
                } catch {
                    record("\(check.sourceFile): \(error)", services.logger)
                }
            }
        }
    }

    /// Starts every collector instance; a failure is recorded, not fatal.
    /// Gated collectors start when their gate opens.
    public func startCollectors(logger: Logger) {
        for instance in instances where instance.isCollector {
            do { try instance.start() } catch { record("\(instance.sourceFile): \(error)", logger) }
        }
        gated?.activate()
    }

    /// Every instance whose samples are flushed: the configured ones and the gated ones running now.
    public var runningInstances: [ModuleInstance] { instances + (gated?.liveInstances ?? []) }

    /// `vigil status`'s gates: each declared gate with the collectors waiting for it.
    public func gatesJSON(_ gates: GateRegistry) -> JSONValue {
        gates.statusJSON { [gated] name in gated?.statusJSON(gate: name) ?? [] }
    }

    /// Waits until every collector said it finished its first sync, or the
    /// timeout passes. Returns the names of the ones still not ready.
    public func waitForCollectors(timeout: Double) -> [String] {
        let deadline = Date(timeIntervalSinceNow: timeout)
        var pending = instances.filter { $0.isCollector && !$0.isReady }
        while !pending.isEmpty, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            pending = pending.filter { !$0.isReady }
        }
        return pending.map(\.instanceID)
    }

    public func shutdown() {
        gated?.shutdown()
        for instance in instances { instance.destroy() }
    }

    /// `shutdown` within `seconds`, whatever a module does: each instance is
    /// destroyed on a thread of its own, one whose run never returned is
    /// not destroyed at all (its module still runs on that thread), and
    /// whatever has not returned by the deadline is abandoned. Returns what
    /// was abandoned, one line each.
    public func shutdown(within seconds: Double) -> [String] {
        let deadline = MonotonicClock.seconds() + seconds
        var abandoned: [String] = []
        if let gated, OffPool.call("vigil-stop-gated", within: seconds, { gated.shutdown(); return true }) == nil {
            abandoned.append("gated collectors: stop or destroy has not returned")
        }
        let returned = DestroyTally()
        let group = DispatchGroup()
        for instance in instances {
            if instance.isRunning {
                abandoned.append("\(instance.module.name) instance \(instance.instanceID): destroy skipped, its run has not returned")
                returned.add(instance)
                continue
            }
            group.enter()
            let thread = Thread {
                instance.destroy()
                returned.add(instance)
                group.leave()
            }
            thread.name = "vigil-destroy"
            thread.start()
        }
        _ = group.wait(timeout: .now() + max(0, deadline - MonotonicClock.seconds()))
        for instance in instances where !returned.contains(instance) {
            abandoned.append("\(instance.module.name) instance \(instance.instanceID): stop or destroy has not returned")
        }
        return abandoned
    }

    /// The instances whose destroy has returned (or was skipped on purpose).
    private final class DestroyTally: Sendable {
        private let ids = Mutex<Set<ObjectIdentifier>>([])
        func add(_ instance: ModuleInstance) { ids.withLock { _ = $0.insert(ObjectIdentifier(instance)) } }
        func contains(_ instance: ModuleInstance) -> Bool { ids.withLock { $0.contains(ObjectIdentifier(instance)) } }
    }

    private func record(_ message: String, _ logger: Logger) {
        errors.append(message)
        logger.error("\(message)")
    }
}
