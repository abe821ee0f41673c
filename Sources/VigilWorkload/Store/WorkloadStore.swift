import Synchronization
import VigilModel

/// The agent's inventory of containers, images, pods and autoscalers.
///
/// Several sources may report the same entity; the store keeps each source's report and
/// shows their merge (see `EntityMerge` for the rule). An entity disappears only when its
/// last source withdraws it. Subscribers receive one initial bundle, then changes in the
/// order they happened, on their own serial queue and never under the store's lock, so
/// a handler may call back into the store.
public final class WorkloadStore: Sendable, StatusReporting {
    struct State {
        var records: [EntityKind: [String: EntityRecord]] = [:]
        var layers = LayerPool()
        var subscriptions: [UInt64: Subscription] = [:]
        var nextSubscriptionID: UInt64 = 1
        var publishes: UInt64 = 0
        var removals: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    // MARK: writing

    /// Adds or replaces `source`'s report of an entity.
    public func publish(_ entity: Entity, source: String) {
        state.withLock { state in
            state.publishes += 1
            let kind = entity.kind
            let id = entity.id
            let previous = state.records[kind]?[id]
            let previousReport = previous?.report(from: source)
            let entity = state.layers.hold(entity)
            if let previousReport { state.layers.release(previousReport) }
            var record = EntityRecord(entity, from: source)
            if let previous {
                record = previous
                record.set(entity, from: source)
            }
            let merged = record.merged
            state.records[kind, default: [:]][id] = record
            let mergedEvent = previous?.merged == merged ? nil : EntityEvent(type: .set, entity: merged)
            let sourceEvent = previousReport == entity ? nil : EntityEvent(type: .set, entity: entity)
            dispatch(state, kind: kind, source: source, merged: mergedEvent, sourced: sourceEvent)
        }
    }

    /// Withdraws `source`'s report; the entity goes when no source reports it any more.
    public func remove(kind: EntityKind, id: String, source: String) {
        state.withLock { state in
            guard let record = state.records[kind]?[id], let report = record.report(from: source) else { return }
            state.removals += 1
            state.layers.release(report)
            let mergedEvent: EntityEvent?
            if let remaining = record.removing(source) {
                mergedEvent = remaining.merged == record.merged ? nil : EntityEvent(type: .set, entity: remaining.merged)
                state.records[kind]?[id] = remaining
            } else {
                state.records[kind]?[id] = nil
                // A dictionary keeps its capacity when emptied: a kind whose last entity went
                // (every pod, once a gated collector stops) gives its storage back.
                if state.records[kind]?.isEmpty == true { state.records[kind] = nil }
                mergedEvent = EntityEvent(type: .unset, entity: record.merged)
            }
            dispatch(state, kind: kind, source: source, merged: mergedEvent,
                     sourced: EntityEvent(type: .unset, entity: report))
        }
    }

    private func dispatch(_ state: State, kind: EntityKind, source: String, merged: EntityEvent?, sourced: EntityEvent?) {
        for subscription in state.subscriptions.values where subscription.filter.matches(kind: kind) {
            let event = subscription.filter.source == nil ? merged
                : (subscription.filter.source == source ? sourced : nil)
            if let event, subscription.filter.matches(event.type) {
                subscription.enqueue([event], initial: false)
            }
        }
    }

    // MARK: reading

    public func entity(kind: EntityKind, id: String) -> Entity? {
        state.withLock { $0.records[kind]?[id]?.merged }
    }

    public func entities(kind: EntityKind) -> [Entity] {
        state.withLock { state in state.records[kind].map { $0.values.map(\.merged) } ?? [] }
    }

    /// The sources currently reporting an entity, sorted.
    public func sources(kind: EntityKind, id: String) -> [String] {
        state.withLock { $0.records[kind]?[id]?.sourceNames ?? [] }
    }

    /// Distinct layer digests held for the images (tests).
    var pooledLayerCount: Int { state.withLock { $0.layers.count } }

    public func counts() -> [EntityKind: Int] {
        state.withLock { state in
            Dictionary(uniqueKeysWithValues: EntityKind.allCases.map { ($0, state.records[$0]?.count ?? 0) })
        }
    }

    // MARK: subscriptions

    /// Registers a handler. It first receives every matching entity already present (one
    /// initial bundle, possibly empty), then each change, in order, one call at a time.
    @discardableResult
    public func subscribe(name: String, filter: SubscriptionFilter = SubscriptionFilter(),
                          handler: @escaping @Sendable (_ events: [EntityEvent], _ isInitialBundle: Bool) -> Void) -> UInt64 {
        state.withLock { state in
            let id = state.nextSubscriptionID
            state.nextSubscriptionID += 1
            let subscription = Subscription(id: id, name: name, filter: filter, handler: handler)
            var initial: [EntityEvent] = []
            if filter.matches(.set) {
                for (kind, records) in state.records where filter.matches(kind: kind) {
                    for record in records.values {
                        if let source = filter.source {
                            if let report = record.report(from: source) { initial.append(EntityEvent(type: .set, entity: report)) }
                        } else {
                            initial.append(EntityEvent(type: .set, entity: record.merged))
                        }
                    }
                }
            }
            subscription.enqueue(initial, initial: true)
            state.subscriptions[id] = subscription
            return id
        }
    }

    /// When this returns, the handler is not running and will not run again
    /// (unless called from inside that handler, which then finishes its current call).
    public func unsubscribe(_ id: UInt64) {
        let subscription = state.withLock { $0.subscriptions.removeValue(forKey: id) }
        subscription?.cancel()
    }

    // MARK: status

    public var statusSectionName: String { "workloadmeta" }

    public func statusSnapshot() -> JSONValue {
        state.withLock { state in
            .object([
                ("entities", .object(EntityKind.allCases.map { ($0.name, .int(Int64(state.records[$0]?.count ?? 0))) })),
                ("publishes", .int(Int64(state.publishes))),
                ("removals", .int(Int64(state.removals))),
                ("subscribers", .array(state.subscriptions.values.sorted { $0.id < $1.id }.map { subscription in
                    .object([
                        ("name", .string(subscription.name)),
                        ("delivered_events", .int(Int64(subscription.deliveredCount))),
                        ("pending_events", .int(Int64(subscription.pendingCount))),
                    ])
                })),
            ] + Self.sbomStatus(state.records[.image]?.values.compactMap(\.merged.image) ?? []))
        }
    }

    /// Every entity (of one kind, or all) with all its fields and sources, sorted by kind then id.
    public func listingJSON(kind: EntityKind?) -> JSONValue {
        let snapshot: [(Entity, [String])] = state.withLock { state in
            (kind.map { [$0] } ?? EntityKind.allCases).flatMap { kind in
                (state.records[kind] ?? [:]).sorted { $0.key < $1.key }.map { ($0.value.merged, $0.value.sourceNames) }
            }
        }
        return .array(snapshot.map { EntityJSON.json($0.0, sources: $0.1) })
    }
}
