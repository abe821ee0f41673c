/// An entity of a kind without a typed model here (pods, autoscalers): flat attributes.
public struct GenericEntity: Sendable, Hashable, Codable {
    public var kind: EntityKind
    public var id: String
    public var attributes: [String: String]

    public init(kind: EntityKind, id: String, attributes: [String: String] = [:]) {
        self.kind = kind
        self.id = id
        self.attributes = attributes
    }
}
