import Foundation
import Logging
import Synchronization
import VigilConfig
import VigilModel
import VigilModules
import VigilWorkload

/// Schedules template checks for containers as they start and unschedules
/// them when they stop or disappear, following the workload store.
public final class Autodiscovery: StatusReporting, @unchecked Sendable {
    struct Resolved {
        var container: Container
        var configs: [CheckConfig]
        public var instances: [ModuleInstance]
    }

    private let resolver: TemplateResolver
    private let modules: [String: LoadedModule]
    private let services: HostServices
    private let store: WorkloadStore
    private let schedule: @Sendable (ModuleInstance) -> Void
    private let unschedule: @Sendable (ModuleInstance) -> Void
    private let state = Mutex<(resolved: [String: Resolved], errors: [String])>(([:], []))
    private var subscription: UInt64?

    public init(templates: [CheckConfig], modules: [String: LoadedModule], services: HostServices, store: WorkloadStore,
         tagger: TagProvider, schedule: @escaping @Sendable (ModuleInstance) -> Void,
         unschedule: @escaping @Sendable (ModuleInstance) -> Void) {
        resolver = TemplateResolver(templates: templates, tagger: tagger)
        self.modules = modules
        self.services = services
        self.store = store
        self.schedule = schedule
        self.unschedule = unschedule
    }

    public func start() {
        subscription = store.subscribe(name: "autodiscovery", filter: SubscriptionFilter(kinds: [.container])) { [weak self] events, _ in
            for event in events { self?.handle(event) }
        }
    }

    public func stop() {
        if let subscription { store.unsubscribe(subscription) }
        let all = state.withLock { s in defer { s.resolved.removeAll() }; return Array(s.resolved.values) }
        for resolved in all { retire(resolved) }
    }

    /// The instances currently scheduled for containers.
    public var instances: [ModuleInstance] { state.withLock { $0.resolved.values.flatMap(\.instances) } }

    /// Resolves every running container once, without following events (for `vigil check`).
    public func resolveNow() -> [ModuleInstance] {
        for entity in store.entities(kind: .container) { handle(EntityEvent(type: .set, entity: entity)) }
        return instances
    }

    private func handle(_ event: EntityEvent) {
        guard let container = event.entity.container else { return }
        let running = event.type == .set && container.state == .running && container.pid > 0
        let previous = state.withLock { $0.resolved[container.id] }
        // A new process, or new addresses or ports, make the earlier resolution stale.
        if let previous, !running || previous.container.pid != container.pid
            || !ContainerFacts.sameNetwork(previous.container, container) {
            state.withLock { _ = $0.resolved.removeValue(forKey: container.id) }
            retire(previous)
        } else if previous != nil {
            return
        }
        guard running else { return }
        let resolution = resolver.resolve(container)
        var instances: [ModuleInstance] = []
        var errors = resolution.errors
        for config in resolution.configs {
            guard let module = modules[config.checkName] else {
                errors.append("\(config.sourceFile): no loaded module named \(config.checkName)")
                continue
            }
            for instance in config.instances {
                do {
                    instances.append(try ModuleInstance(module: module, check: config, instance: instance, services: services))
                } catch {
                    errors.append("\(config.sourceFile): \(error)")
                }
            }
        }
        for error in errors { services.logger.error("autodiscovery: \(error)") }
        if resolution.configs.isEmpty && errors.isEmpty { return }
        state.withLock { s in
            s.errors = Array((s.errors + errors).suffix(50))
            s.resolved[container.id] = Resolved(container: container, configs: resolution.configs, instances: instances)
        }
        for instance in instances {
            services.logger.info("autodiscovery: scheduling \(instance.instanceID) for container \(container.id.prefix(12))")
            schedule(instance)
        }
    }

    private func retire(_ resolved: Resolved) {
        for instance in resolved.instances {
            services.logger.info("autodiscovery: unscheduling \(instance.instanceID)")
            unschedule(instance)
            instance.destroy()
        }
    }

    public var statusSectionName: String { "autodiscovery" }

    /// Each resolved template with the container it matched (for `vigil configcheck`).
    public func statusSnapshot() -> JSONValue {
        let (resolved, errors) = state.withLock { ($0.resolved, $0.errors) }
        let configs: [JSONValue] = resolved.values.sorted { $0.container.id < $1.container.id }.flatMap { r in
            r.configs.flatMap { config in
                config.instances.map { instance in
                    JSONValue.object([
                        ("check", .string(config.checkName)),
                        ("source", .string(config.sourceFile)),
                        ("container_id", .string(r.container.id)),
                        ("container_name", .string(r.container.name)),
                        ("image", .string(r.container.imageRef)),
                        ("instance_id", .string(instance.id)),
                        ("instance", SecretKeys.redacted(instance.node).json),
                        ("tags", .array(instance.tags.map { .string($0) })),
                        ("init_config", SecretKeys.redacted(config.initConfig).json),
                    ])
                }
            }
        }
        return .object([("resolved", .array(configs)), ("errors", .array(errors.map { .string($0) }))])
    }
}
