import CVigilModule
import VigilEntities

/// What a subscriber receives: set (added or changed, with the merged state) or unset (with the last state).
public enum EntityChange: Sendable {
    case set(Entity)
    case unset(Entity)

    public var entity: Entity {
        switch self {
        case let .set(entity), let .unset(entity): entity
        }
    }
}

/// A subscription to the workload store's entity events, delivered as Swift
/// values. The host never runs one subscription's callback concurrently with
/// itself; the first delivery is the initial bundle (`initial` true). The
/// subscription ends at `cancel()`, when this object goes away, or when the
/// instance is destroyed.
public final class EntitySubscription: @unchecked Sendable {
    public typealias Handler = @Sendable (_ changes: [EntityChange], _ initial: Bool) -> Void

    private final class Box {
        let handler: Handler
        init(_ handler: @escaping Handler) { self.handler = handler }
    }

    private let host: ModuleHost
    private let box: Box
    // Written once in init and cleared by cancel(), which the owner serialises.
    private var id: UInt64 = 0

    /// Subscribes to `kinds` (all kinds when empty), optionally only to one source's reports.
    public init(host: ModuleHost, name: String, kinds: Set<EntityKind> = [], source: String? = nil,
                handler: @escaping Handler) throws(ModuleHostError) {
        self.host = host
        box = Box(handler)
        let arena = CArena()
        var request = vigil_subscription()
        request.struct_size = UInt32(MemoryLayout<vigil_subscription>.size)
        request.kind_mask = kinds.reduce(0) { $0 | (1 << UInt32($1.rawValue)) }
        request.source = source.map { arena.string($0) }
        request.name = arena.string(name)
        request.user_data = Unmanaged.passUnretained(box).toOpaque()
        request.callback = { user, events, count, initial in
            guard let user else { return }
            var changes: [EntityChange] = []
            changes.reserveCapacity(count)
            for index in 0..<count {
                let event = events![index]
                guard let pointer = event.entity, let entity = EntityConversion.fromC(pointer) else { continue }
                changes.append(event.type == UInt32(VIGIL_ENTITY_EVENT_UNSET.rawValue) ? .unset(entity) : .set(entity))
            }
            Unmanaged<Box>.fromOpaque(user).takeUnretainedValue().handler(changes, initial != 0)
        }
        var subscriptionID: UInt64 = 0
        let status = host.api.pointee.subscribe(host.handle, &request, &subscriptionID)
        guard status == VIGIL_OK else { throw ModuleHostError(call: "subscribe", status: status) }
        id = subscriptionID
    }

    /// Ends the subscription; when it returns the handler is not running and will not run again
    /// (unless called from inside the handler itself).
    public func cancel() {
        guard id != 0 else { return }
        _ = host.api.pointee.unsubscribe(host.handle, id)
        id = 0
    }

    deinit { cancel() }
}

/// A host function answered with an error.
public struct ModuleHostError: Error, CustomStringConvertible {
    public let call: String
    public let status: vigil_status
    public var description: String { "\(call): host answered status \(status.rawValue)" }
}
