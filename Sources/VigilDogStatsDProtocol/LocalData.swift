/// The `|c:` field ("local data"), as the reference's `ParseLocalData`
/// reads it: `ci-<container id>`, the older `cid-<container id>` or a bare
/// container id, or a comma-separated list of `ci-<id>` and `in-<cgroup
/// inode>`. Vigil does not resolve cgroup inodes, so an `in-` item alone
/// names no container.
public enum LocalData {
    /// The container id in `field`, or an empty range for none.
    @inlinable
    public static func containerID(_ buf: UnsafeRawBufferPointer, _ field: ByteRange) -> ByteRange {
        if field.isEmpty { return field }
        if buf.firstIndex(of: UInt8(ascii: ","), in: field) != nil {
            var found = ByteRange.empty
            buf.forEachPiece(of: field, separatedBy: UInt8(ascii: ",")) { item in
                if buf.hasPrefix("ci-", in: item) { found = ByteRange(start: item.start + 3, end: item.end) }
            }
            return found
        }
        if buf.hasPrefix("ci-", in: field) { return ByteRange(start: field.start + 3, end: field.end) }
        if buf.hasPrefix("in-", in: field) { return .empty }
        if buf.hasPrefix("cid-", in: field) { return ByteRange(start: field.start + 4, end: field.end) }
        return field
    }
}
