import CVigilModule
import VigilSwiftModuleKit
import Foundation
import VigilWorkload

/// The workload-store half of the host table: converts entities between the
/// C structs of the ABI and the store's Swift types.
enum EntityBridge {
    static func publish(_ ctx: HostContext, source: String, _ entity: UnsafePointer<vigil_entity>) -> vigil_status {
        guard let store = ctx.services.workload else { return VIGIL_ERROR_UNSUPPORTED }
        guard let converted = EntityConversion.fromC(entity) else { return VIGIL_ERROR_INVALID }
        store.publish(converted, source: source)
        return VIGIL_OK
    }

    static func remove(_ ctx: HostContext, source: String, kind: vigil_entity_kind, id: String) -> vigil_status {
        guard let store = ctx.services.workload else { return VIGIL_ERROR_UNSUPPORTED }
        guard let kind = EntityKind(rawValue: Int(kind.rawValue)) else { return VIGIL_ERROR_INVALID }
        store.remove(kind: kind, id: id, source: source)
        return VIGIL_OK
    }

    static func get(_ ctx: HostContext, kind: vigil_entity_kind, id: String, fn: vigil_entity_fn,
                    user: UnsafeMutableRawPointer?) -> vigil_status {
        guard let store = ctx.services.workload else { return VIGIL_ERROR_UNSUPPORTED }
        guard let kind = EntityKind(rawValue: Int(kind.rawValue)) else { return VIGIL_ERROR_INVALID }
        guard let entity = store.entity(kind: kind, id: id) else { return VIGIL_ERROR_NOT_FOUND }
        let arena = CArena()
        fn(user, EntityConversion.toC(entity, arena))
        return VIGIL_OK
    }

    static func list(_ ctx: HostContext, kind: vigil_entity_kind, fn: vigil_entity_fn,
                     user: UnsafeMutableRawPointer?) -> vigil_status {
        guard let store = ctx.services.workload else { return VIGIL_ERROR_UNSUPPORTED }
        guard let kind = EntityKind(rawValue: Int(kind.rawValue)) else { return VIGIL_ERROR_INVALID }
        for entity in store.entities(kind: kind) {
            let arena = CArena()
            fn(user, EntityConversion.toC(entity, arena))
        }
        return VIGIL_OK
    }

    /// The module's callback and context, carried into the store's handler.
    struct Callback: @unchecked Sendable {
        let fn: vigil_entity_events_fn
        let user: UnsafeMutableRawPointer?
    }

    static func subscribe(_ ctx: HostContext, _ sub: vigil_subscription, idOut: UnsafeMutablePointer<UInt64>) -> vigil_status {
        guard let store = ctx.services.workload else { return VIGIL_ERROR_UNSUPPORTED }
        guard let fn = sub.callback, let namePtr = sub.name else { return VIGIL_ERROR_INVALID }
        var kinds: Set<EntityKind>?
        if sub.kind_mask != 0 {
            kinds = Set(EntityKind.allCases.filter { sub.kind_mask & (1 << UInt32($0.rawValue)) != 0 })
        }
        var types: Set<EntityEvent.EventType>?
        if sub.event_mask != 0 {
            types = Set([EntityEvent.EventType.set, .unset].filter { sub.event_mask & (1 << UInt32($0.rawValue)) != 0 })
        }
        let filter = SubscriptionFilter(kinds: kinds, source: sub.source.map { String(cString: $0) }, eventTypes: types)
        let callback = Callback(fn: fn, user: sub.user_data)
        let id = store.subscribe(name: "\(ctx.moduleName)/\(String(cString: namePtr))", filter: filter) { events, initial in
            let arena = CArena()
            let array = arena.allocate(vigil_entity_event.self, count: events.count)
            for (i, event) in events.enumerated() {
                array[i] = vigil_entity_event(struct_size: UInt32(MemoryLayout<vigil_entity_event>.size),
                                              type: UInt32(event.type.rawValue),
                                              entity: EntityConversion.toC(event.entity, arena))
            }
            callback.fn(callback.user, array, events.count, initial ? 1 : 0)
        }
        ctx.subscriptions.withLock { _ = $0.insert(id) }
        idOut.pointee = id
        return VIGIL_OK
    }

    static func unsubscribe(_ ctx: HostContext, id: UInt64) -> vigil_status {
        guard let store = ctx.services.workload else { return VIGIL_ERROR_UNSUPPORTED }
        guard ctx.subscriptions.withLock({ $0.remove(id) }) != nil else { return VIGIL_ERROR_NOT_FOUND }
        store.unsubscribe(id)
        return VIGIL_OK
    }

    /// Ends every subscription an instance still holds (at destroy).
    static func endSubscriptions(of ctx: HostContext) {
        let ids = ctx.subscriptions.withLock { s in defer { s.removeAll() }; return s }
        for id in ids { ctx.services.workload?.unsubscribe(id) }
    }
}
