import Foundation
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
                do {
                    instances.append(try ModuleInstance(module: module, check: check, instance: instance, services: services))
                } catch {
                    record("\(check.sourceFile): \(error)", services.logger)
                }
            }
        }
    }

    /// Starts every collector instance; a failure is recorded, not fatal.
    public func startCollectors(logger: Logger) {
        for instance in instances where instance.isCollector {
            do { try instance.start() } catch { record("\(instance.sourceFile): \(error)", logger) }
        }
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
        for instance in instances { instance.destroy() }
    }

    private func record(_ message: String, _ logger: Logger) {
        errors.append(message)
        logger.error("\(message)")
    }
}
