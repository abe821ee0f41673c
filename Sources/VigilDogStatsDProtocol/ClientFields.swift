import VigilModel

/// What an event or a service check carries besides its own fields: the
/// client's tags (reserved ones taken out, see `ReservedTags`) and its
/// origin hints. Events and service checks are rare, so this holds Strings.
public struct ClientFields: Sendable, Equatable {
    public var tags: [String] = []
    /// The last `host:` tag's value ("" for `host:` alone); nil when none.
    public var hostTag: String?
    /// `dd.internal.entity_id:`, the sender's pod uid.
    public var entityID: String?
    /// `|c:`, the sender's container id (see `LocalData`).
    public var containerID: String?
    /// `|card:` when it names a cardinality, else `dd.internal.card:`.
    public var cardinality: OriginCardinality?
    private var tagCardinality: OriginCardinality?

    public init() {}

    /// Reads `#tags`, `c:` and `card:`; false for any other field.
    mutating func read(_ buf: UnsafeRawBufferPointer, field: ByteRange) -> Bool {
        if field.isEmpty { return false }
        if buf[field.start] == UInt8(ascii: "#") {
            // A later `#` field replaces an earlier one, as for metrics and in the reference.
            tags.removeAll()
            (hostTag, entityID, tagCardinality) = (nil, nil, nil)
            var reserved = ReservedTags()
            buf.forEachClientTag(in: ByteRange(start: field.start + 1, end: field.end), reserved: &reserved) {
                tags.append(buf.string($0))
            }
            if let host = reserved.host { hostTag = buf.string(host) }
            if let id = reserved.entityID { entityID = buf.string(id) }
            if let card = reserved.cardinality { tagCardinality = OriginCardinality(bytes: buf.slice(card)) }
            return true
        }
        if buf.hasPrefix("c:", in: field) {
            let id = LocalData.containerID(buf, ByteRange(start: field.start + 2, end: field.end))
            containerID = id.isEmpty ? nil : buf.string(id)
            return true
        }
        if buf.hasPrefix("card:", in: field) {
            cardinality = OriginCardinality(bytes: buf.slice(ByteRange(start: field.start + 5, end: field.end)))
            return true
        }
        return false
    }

    /// Settles which cardinality applies once every field is read.
    mutating func finish() {
        if cardinality == nil { cardinality = tagCardinality }
    }

    /// The host a message goes out with: its own `h:` field if not empty
    /// (as in the reference), else its `host:` tag (even empty), else the agent's.
    public func host(field: String?, defaultHost: String) -> String {
        if let field, !field.isEmpty { return field }
        return hostTag ?? defaultHost
    }
}
