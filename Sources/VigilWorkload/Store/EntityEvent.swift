import VigilEntities

/// A change in the store, as delivered to subscribers.
public struct EntityEvent: Sendable {
    public enum EventType: Int, Sendable {
        /// Added or changed; `entity` is its new state.
        case set = 0
        /// Removed; `entity` is its last state.
        case unset = 1
    }

    public var type: EventType
    public var entity: Entity

    public init(type: EventType, entity: Entity) {
        self.type = type
        self.entity = entity
    }
}

/// Which events a subscriber receives. nil means "any".
public struct SubscriptionFilter: Sendable {
    public var kinds: Set<EntityKind>?
    /// When set, the subscriber sees that source's own reports (set when it publishes,
    /// unset when it withdraws) instead of the merged entities.
    public var source: String?
    public var eventTypes: Set<EntityEvent.EventType>?

    public init(kinds: Set<EntityKind>? = nil, source: String? = nil, eventTypes: Set<EntityEvent.EventType>? = nil) {
        self.kinds = kinds
        self.source = source
        self.eventTypes = eventTypes
    }

    func matches(kind: EntityKind) -> Bool { kinds?.contains(kind) ?? true }
    func matches(_ type: EntityEvent.EventType) -> Bool { eventTypes?.contains(type) ?? true }
}
