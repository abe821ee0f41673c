import Synchronization
import VigilConfig
import VigilModel

/// Entity → tags, per cardinality, computed from the workload store.
///
/// Tags are cached per entity and dropped when the store reports a change; a lookup that
/// misses computes from the store's current state, so a freshly published entity has tags
/// before its event reaches the tagger. A generation counter keeps a lookup that raced
/// with an invalidation from caching stale tags.
public final class Tagger: TagProvider, Sendable {
    private struct State {
        var cache: [String: TagSet] = [:]
        var generation: UInt64 = 0
        /// cgroup path → container id
        var cgroupIndex: [String: String] = [:]
        /// container id → its indexed cgroup path
        var indexedPath: [String: String] = [:]
        /// container id → uid of the pod whose container statuses name it
        var podOfContainer: [String: String] = [:]
        /// pod uid → the container ids indexed for it
        var containersOfPod: [String: [String]] = [:]
    }

    private let store: WorkloadStore
    private let computer: TagComputer
    private let state = Mutex(State())
    private let subscription = Mutex<UInt64?>(nil)

    public convenience init(store: WorkloadStore, config: AgentConfig) {
        self.init(store: store, rules: TagRules(config: config))
    }

    public init(store: WorkloadStore, rules: TagRules) {
        self.store = store
        computer = TagComputer(rules: rules)
        let id = store.subscribe(name: "tagger", filter: SubscriptionFilter(kinds: [.container, .image, .pod])) {
            [weak self] events, _ in
            self?.apply(events)
        }
        subscription.withLock { $0 = id }
    }

    deinit {
        if let id = subscription.withLock({ $0 }) { store.unsubscribe(id) }
    }

    public func tags(forEntity entityID: String, cardinality: TagCardinality) -> [String]? {
        tagSet(forEntity: entityID)?.tags(at: cardinality)
    }

    public func containerID(forCgroupPath path: String) -> String? {
        let normalized = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        if let id = state.withLock({ $0.cgroupIndex[normalized] }) { return id }
        // Not yet seen through events (they are delivered asynchronously): ask the store.
        return store.entities(kind: .container).lazy.compactMap(\.container)
            .first { $0.cgroupPath == normalized }?.id
    }

    /// Every container and image with its tags per cardinality, for `vigil tagger`.
    public func listingJSON() -> JSONValue {
        var entries: [JSONValue] = []
        for kind in [EntityKind.container, .image, .pod] {
            for entity in store.entities(kind: kind).sorted(by: { $0.id < $1.id }) {
                guard let entityID = EntityTagID.make(kind, entity.id), let set = tagSet(forEntity: entityID) else { continue }
                entries.append(.object([
                    ("entity", .string(entityID)),
                    ("low", .array(set.tags(at: .low).map { .string($0) })),
                    ("orchestrator", .array(set.tags(at: .orchestrator).map { .string($0) })),
                    ("high", .array(set.tags(at: .high).map { .string($0) })),
                ]))
            }
        }
        return .array(entries)
    }

    private func tagSet(forEntity entityID: String) -> TagSet? {
        let (cached, generation) = state.withLock { ($0.cache[entityID], $0.generation) }
        if let cached { return cached }
        guard let (kind, id) = EntityTagID.parse(entityID) else { return nil }
        let set: TagSet
        if kind == .pod {
            if case let .generic(pod)? = store.entity(kind: .pod, id: id) {
                set = computer.tags(forPod: pod)
            } else {
                // No pod entity (no kubernetes module): derived from its containers' runtime
                // labels, and not cached, as a container's change would not reach the pod's entry.
                return computer.tags(forPodUID: id, containers: store.entities(kind: .container).compactMap(\.container))
            }
        } else if kind == .container, let container = store.entity(kind: .container, id: id)?.container {
            let podUID = state.withLock { $0.podOfContainer[id] }
            if let podUID, case let .generic(pod)? = store.entity(kind: .pod, id: podUID) {
                set = computer.tags(for: container, in: pod)
            } else {
                set = computer.tags(for: container)
            }
        } else {
            guard let entity = store.entity(kind: kind, id: id), let computed = computer.tags(for: entity) else { return nil }
            set = computed
        }
        state.withLock { state in
            if state.generation == generation { state.cache[entityID] = set }
        }
        return set
    }

    private func apply(_ events: [EntityEvent]) {
        state.withLock { state in
            state.generation += 1
            for event in events {
                guard let entityID = EntityTagID.make(event.entity.kind, event.entity.id) else { continue }
                state.cache[entityID] = nil
                if case let .generic(pod) = event.entity, pod.kind == .pod {
                    // Re-link the pod's containers; their tags change with it.
                    for old in state.containersOfPod.removeValue(forKey: pod.id) ?? [] {
                        if state.podOfContainer[old] == pod.id { state.podOfContainer[old] = nil }
                        state.cache["container_id://\(old)"] = nil
                    }
                    if event.type == .set {
                        let ids = Array(PodAttributes.containerIDs(pod.attributes).keys)
                        for id in ids {
                            state.podOfContainer[id] = pod.id
                            state.cache["container_id://\(id)"] = nil
                        }
                        if !ids.isEmpty { state.containersOfPod[pod.id] = ids }
                    }
                }
                if state.podOfContainer.isEmpty && state.containersOfPod.isEmpty {
                    // Every pod gone: give the indexes' storage back.
                    state.podOfContainer = [:]
                    state.containersOfPod = [:]
                }
                if let container = event.entity.container {
                    if let old = state.indexedPath.removeValue(forKey: container.id), state.cgroupIndex[old] == container.id {
                        state.cgroupIndex[old] = nil
                    }
                    if event.type == .set && !container.cgroupPath.isEmpty {
                        state.cgroupIndex[container.cgroupPath] = container.id
                        state.indexedPath[container.id] = container.cgroupPath
                    }
                }
            }
        }
    }
}
