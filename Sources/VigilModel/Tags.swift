/// Tag lists as contexts need them: sorted and without duplicates, so that
/// `a,b` and `b,a,a` name the same context.
public enum Tags {
    public static func normalized(_ tags: [String]) -> [String] {
        if tags.count < 2 { return tags }
        var sorted = tags.sorted()
        var write = 1
        for read in 1..<sorted.count where sorted[read] != sorted[write - 1] {
            sorted[write] = sorted[read]
            write += 1
        }
        sorted.removeLast(sorted.count - write)
        return sorted
    }

    /// The value of the first `key:value` tag with this key.
    public static func value(of key: String, in tags: [String]) -> String? {
        for tag in tags where tag.hasPrefix(key) {
            let rest = tag.dropFirst(key.count)
            if rest.first == ":" { return String(rest.dropFirst()) }
        }
        return nil
    }
}
