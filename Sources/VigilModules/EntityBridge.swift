import CVigilModule

/// Workload-store half of the host table. The store lands with the
/// workload issue; until then these calls answer UNSUPPORTED.
enum EntityBridge {
    static func publish(_ ctx: HostContext, source: String, _ entity: UnsafePointer<vigil_entity>) -> vigil_status {
        VIGIL_ERROR_UNSUPPORTED
    }

    static func remove(_ ctx: HostContext, source: String, kind: vigil_entity_kind, id: String) -> vigil_status {
        VIGIL_ERROR_UNSUPPORTED
    }

    static func get(_ ctx: HostContext, kind: vigil_entity_kind, id: String, fn: vigil_entity_fn,
                    user: UnsafeMutableRawPointer?) -> vigil_status {
        VIGIL_ERROR_UNSUPPORTED
    }

    static func list(_ ctx: HostContext, kind: vigil_entity_kind, fn: vigil_entity_fn,
                     user: UnsafeMutableRawPointer?) -> vigil_status {
        VIGIL_ERROR_UNSUPPORTED
    }

    static func subscribe(_ ctx: HostContext, _ sub: vigil_subscription, idOut: UnsafeMutablePointer<UInt64>) -> vigil_status {
        VIGIL_ERROR_UNSUPPORTED
    }

    static func unsubscribe(_ ctx: HostContext, id: UInt64) -> vigil_status {
        VIGIL_ERROR_UNSUPPORTED
    }
}

extension EntityBridge {
    /// Ends every subscription an instance still holds (at destroy).
    static func endSubscriptions(of ctx: HostContext) {
        let ids = ctx.subscriptions.withLock { s in defer { s.removeAll() }; return s }
        for id in ids { _ = unsubscribe(ctx, id: id) }
    }
}
