import CVigilModule
import Foundation
import KubernetesAPI
import Synchronization
import VigilEntities
import VigilSwiftModuleKit

/// DatadogPodAutoscalers (datadoghq.com/v1alpha2) into the workload store as
/// autoscaler entities, and the autoscaling gate: opened by the first one,
/// let go of when the last one is gone.
final class AutoscalingInstance: ModuleInstanceBody {
    static let gate = "autoscaling"
    let host: ModuleHost
    let access: ClusterAccess
    let paths: [String]
    private let work = BackgroundWork()
    private let tracker: AutoscalerTracker
    private let recommendations: LocalRecommendations?

    init(host: ModuleHost) throws {
        self.host = host
        let options = ModuleOptions(host.configValue)
        access = try ClusterAccess.load(host.configValue)
        let base = "/apis/datadoghq.com/v1alpha2"
        if let namespaces = try options.stringList("autoscaling_namespaces"), !namespaces.isEmpty {
            paths = namespaces.map { "\(base)/namespaces/\($0)/datadogpodautoscalers" }
        } else {
            paths = ["\(base)/datadogpodautoscalers"]
        }
        tracker = AutoscalerTracker(host: host, lists: paths.count)
        let recommend = try options.bool("autoscaling_recommendations") ?? true
        recommendations = recommend ? LocalRecommendations(host: host, cgroupRoot: options.string("cgroup_root") ?? "/sys/fs/cgroup") : nil
        if !host.hasGates { host.log(.warn, "this host has no gates (ABI < 1.3): collectors waiting on \(Self.gate) cannot be started by it") }
    }

    func start() throws {
        let client = try KubernetesClient(config: access.config)
        let host = self.host, tracker = self.tracker, access = self.access
        let reflectors = paths.map { path in
            Reflector<DatadogPodAutoscaler>(client: client, path: path, pageSize: access.pageSize,
                                            watchTimeout: access.watchTimeout, log: { host.log(.warn, $0) }) { event in
                tracker.apply(event, list: path)
            }
        }
        host.log(.info, "following DatadogPodAutoscalers at \(access.config.server) (\(paths.count == 1 ? paths[0] : "\(paths.count) namespaces"))")
        work.start {
            await withTaskGroup(of: Void.self) { group in
                for reflector in reflectors { group.addTask { await reflector.run() } }
            }
            await client.shutdown()
        }
    }

    /// Each run (min_collection_interval): local recommendations for every known autoscaler.
    func run() throws {
        guard let recommendations else { return }
        let results = recommendations.run(autoscalers: tracker.autoscalers)
        tracker.setRecommendations(results)
    }

    func stop() {
        work.stop()
        tracker.withdrawAll()
    }
}

/// Publishes autoscalers and keeps the gate in step with how many there are.
final class AutoscalerTracker: Sendable {
    private struct State {
        var ids: Set<String> = []
        var objects: [String: DatadogPodAutoscaler] = [:]
        var recommendations: [String: [String: String]] = [:]
        var syncedLists: Set<String> = []
        var gateOpen: Bool?
        var ready = false
    }

    let host: ModuleHost
    let lists: Int
    private let state = Mutex(State())

    init(host: ModuleHost, lists: Int) {
        self.host = host
        self.lists = lists
    }

    func apply(_ event: ReflectorEvent<DatadogPodAutoscaler>, list: String) {
        switch event {
        case let .upsert(dpa):
            let recs = state.withLock { s -> [String: String] in
                s.ids.insert(dpa.entityID)
                s.objects[dpa.entityID] = dpa
                return s.recommendations[dpa.entityID] ?? [:]
            }
            publish(dpa, recs)
        case let .delete(dpa):
            host.remove(.autoscaler, id: dpa.entityID)
            state.withLock { s in
                s.ids.remove(dpa.entityID)
                s.objects[dpa.entityID] = nil
                s.recommendations[dpa.entityID] = nil
            }
        case .synced:
            state.withLock { _ = $0.syncedLists.insert(list) }
        }
        updateGate()
    }

    /// The entity: the DPA's attributes and the latest local recommendation's.
    private func publish(_ dpa: DatadogPodAutoscaler, _ recommendations: [String: String]) {
        var entity = dpa.entity
        entity.attributes.merge(recommendations) { _, new in new }
        host.publish(.generic(entity))
    }

    var autoscalers: [DatadogPodAutoscaler] { state.withLock { $0.objects.values.sorted { $0.entityID < $1.entityID } } }

    /// Keeps each autoscaler's latest recommendation and republishes those that changed.
    func setRecommendations(_ results: [String: [String: String]]) {
        let changed = state.withLock { s -> [(DatadogPodAutoscaler, [String: String])] in
            var out: [(DatadogPodAutoscaler, [String: String])] = []
            for (id, recs) in results where s.recommendations[id] != recs {
                guard let dpa = s.objects[id] else { continue }
                s.recommendations[id] = recs
                out.append((dpa, recs))
            }
            return out
        }
        for (dpa, recs) in changed { publish(dpa, recs) }
    }

    /// Once every list has been read: open the gate while any autoscaler
    /// exists, let go of it when none does. Only transitions are told.
    private func updateGate() {
        let (decision, first, becameReady) = state.withLock { s -> (Bool?, String?, Bool) in
            guard s.syncedLists.count == lists else { return (nil, nil, false) }
            let wantOpen = !s.ids.isEmpty
            let becameReady = !s.ready
            s.ready = true
            guard s.gateOpen != wantOpen else { return (nil, nil, becameReady) }
            let first = s.gateOpen == nil
            s.gateOpen = wantOpen
            // A gate this instance never opened needs no letting go.
            if first && !wantOpen { return (nil, nil, becameReady) }
            return (wantOpen, s.ids.min(), becameReady)
        }
        if let open = decision {
            let reason = open ? "DatadogPodAutoscaler \(first ?? "")" : "no DatadogPodAutoscaler"
            let answer = host.setGate(AutoscalingInstance.gate, open: open, reason: reason)
            host.log(.info, "\(open ? "opening" : "letting go of") gate \(AutoscalingInstance.gate): \(reason) (\(answer))")
        }
        if becameReady { host.setReady() }
    }

    func withdrawAll() {
        let ids = state.withLock { s -> Set<String> in
            defer { s = State() }
            return s.ids
        }
        for id in ids.sorted() { host.remove(.autoscaler, id: id) }
    }
}

private let definition = ModuleDefinition(
    name: "autoscaling", version: "1.0.0",
    description: "DatadogPodAutoscalers into the workload store; opens the autoscaling gate; local recommendations",
    kinds: VIGIL_MODULE_KIND_COLLECTOR | VIGIL_MODULE_KIND_CHECK) { host, _ in try AutoscalingInstance(host: host) }

@_cdecl("vigil_module_entry")
public func vigilModuleEntry(_ hostMajor: UInt16, _ hostMinor: UInt16) -> UnsafePointer<vigil_module>? {
    ModuleExport.descriptor(for: definition, hostMajor: hostMajor)
}
