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
}
