/// Tags a client sends that are instructions, not tags (the reference's
/// `extractTagsMetadata`): none of them may become part of a context.
/// - `host:<name>` sets the sample's host (`host:` alone: no host at all);
/// - `dd.internal.entity_id:<pod uid>` names the sender's pod (what clients
///   send when `DD_ENTITY_ID` is set), for origin tags;
/// - `dd.internal.card:<cardinality>` sets the origin tags' cardinality, as
///   the `|card:` field does (which wins when both are present);
/// - `dd.internal.jmx_check_name:<name>` marks JMXFetch's samples; dropped.
/// When one appears twice, the last wins, as in the reference.
@frozen
public struct ReservedTags: BitwiseCopyable, Sendable {
    public var host: ByteRange?
    public var entityID: ByteRange?
    public var cardinality: ByteRange?

    @inlinable public init() {}
}

extension UnsafeRawBufferPointer {
    /// Calls `body` for each tag of the comma-separated `tags` that is a real
    /// tag, and gathers the reserved ones into `reserved`. Only a tag
    /// starting with `h` or `d` is compared further, so ordinary tags cost
    /// one byte test.
    @inlinable @inline(__always)
    public func forEachClientTag(in tags: ByteRange, reserved: inout ReservedTags, _ body: (ByteRange) -> Void) {
        forEachPiece(of: tags, separatedBy: UInt8(ascii: ",")) { tag in
            switch self[tag.start] {
            case UInt8(ascii: "h") where hasPrefix("host:", in: tag):
                reserved.host = ByteRange(start: tag.start + 5, end: tag.end)
            case UInt8(ascii: "d") where hasPrefix("dd.internal.", in: tag):
                let rest = ByteRange(start: tag.start + 12, end: tag.end)
                if hasPrefix("entity_id:", in: rest) {
                    reserved.entityID = ByteRange(start: rest.start + 10, end: rest.end)
                } else if hasPrefix("card:", in: rest) {
                    reserved.cardinality = ByteRange(start: rest.start + 5, end: rest.end)
                } else if hasPrefix("jmx_check_name:", in: rest) {
                    // Only the reference's metric-source accounting reads it.
                } else {
                    body(tag)
                }
            default:
                body(tag)
            }
        }
    }
}
