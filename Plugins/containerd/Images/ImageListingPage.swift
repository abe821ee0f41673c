/// One page of an image listing, chosen by the image records' target digests.
///
/// containerd refuses a response larger than 16 MiB (its gRPC send limit), about 90,000
/// image references; it has no paging of its own, but it takes filters. A digest's hex part
/// is uniformly spread, so pages by digest prefix are of even size whatever the names look
/// like, and every reference of one image (same digest) lands on the same page.
///
/// A page covers the buckets `first...last` of the digests' first `depth` hex digits (depth 0:
/// one bucket, everything). The page holding bucket 0 also takes the odd digests (no hex digit
/// after the algorithm), so a set of pages covering every bucket covers every record, each once.
public struct ImageListingPage: Hashable, Sendable, CustomStringConvertible {
    public var depth: Int
    public var first: Int
    public var last: Int
    public var includesOddDigests: Bool

    /// The whole listing in one call.
    public static let everything = ImageListingPage(depth: 0, first: 0, last: 0, includesOddDigests: true)

    /// Bucket `first...last` at `depth` hex digits (at most 15, so buckets fit an Int).
    public init(depth: Int, first: Int, last: Int, includesOddDigests: Bool) {
        precondition(depth >= 0 && depth <= 15 && first >= 0 && first <= last && last < 1 << (4 * depth))
        self.depth = depth
        self.first = first
        self.last = last
        self.includesOddDigests = includesOddDigests
    }

    /// The containerd filters (any of which selects a record); empty for the whole listing.
    public var filters: [String] {
        if depth == 0 { return [] }
        let alternatives = Self.patterns(first, last, depth: depth)
        var filters = [#"target.digest~="^[^:]*:(\#(alternatives.joined(separator: "|")))""#]
        if includesOddDigests { filters.append(Self.oddDigestFilter) }
        return filters
    }

    /// Digests without a lowercase hex digit after the first colon (or without a colon).
    static let oddDigestFilter = #"target.digest~="^[^:]*(:([^0-9a-f]|$)|$)""#

    /// Two pages sharing this one's records, for a page containerd refused as too large:
    /// halves of the bucket range, or the 16 buckets one digit deeper split in two.
    public func split() -> [ImageListingPage]? {
        if first < last {
            let middle = first + (last - first) / 2
            return [ImageListingPage(depth: depth, first: first, last: middle, includesOddDigests: includesOddDigests),
                    ImageListingPage(depth: depth, first: middle + 1, last: last, includesOddDigests: false)]
        }
        guard depth < 15 else { return nil }
        let base = first * 16
        return [ImageListingPage(depth: depth + 1, first: base, last: base + 7, includesOddDigests: includesOddDigests),
                ImageListingPage(depth: depth + 1, first: base + 8, last: base + 15, includesOddDigests: false)]
    }

    /// `count` pages of (nearly) equal bucket ranges covering everything.
    public static func partition(into count: Int) -> [ImageListingPage] { everything.divided(into: count) }

    /// About `count` pages of (nearly) equal bucket ranges covering this page's records, one
    /// or more digits deeper when this page has fewer buckets than that.
    public func divided(into count: Int) -> [ImageListingPage] {
        guard count > 1 else { return [self] }
        var depth = self.depth
        var first = self.first
        var last = self.last
        while last - first + 1 < count && depth < 15 {
            depth += 1
            first *= 16
            last = last * 16 + 15
        }
        let buckets = last - first + 1
        let pages = min(count, buckets)
        return (0..<pages).map { index in
            ImageListingPage(depth: depth, first: first + index * buckets / pages,
                             last: first + (index + 1) * buckets / pages - 1,
                             includesOddDigests: includesOddDigests && index == 0)
        }
    }

    public var description: String {
        depth == 0 ? "all" : "\(Self.hex(first, depth))…\(Self.hex(last, depth))\(includesOddDigests ? "+odd" : "")"
    }

    // MARK: regular expressions

    private static let digits = Array("0123456789abcdef")

    private static func hex(_ value: Int, _ width: Int) -> String {
        String((0..<width).reversed().map { digits[(value >> (4 * $0)) & 15] })
    }

    /// A character class for the hex digits `low...high`.
    private static func digitClass(_ low: Int, _ high: Int) -> String {
        if low == high { return String(digits[low]) }
        // Keep ranges within 0-9 and a-f: "[5-b]" would span the punctuation between them.
        var parts: [String] = []
        if low <= 9 { parts.append(low == min(high, 9) ? String(digits[low]) : "\(digits[low])-\(digits[min(high, 9)])") }
        if high >= 10 {
            let start = max(low, 10)
            parts.append(start == high ? String(digits[high]) : "\(digits[start])-\(digits[high])")
        }
        return "[" + parts.joined() + "]"
    }

    /// Prefix patterns matching exactly the `depth`-digit hex prefixes `low...high`.
    static func patterns(_ low: Int, _ high: Int, depth: Int) -> [String] {
        if depth == 1 { return [digitClass(low, high)] }
        let width = 1 << (4 * (depth - 1))
        let (lowHead, lowTail) = (low / width, low % width)
        let (highHead, highTail) = (high / width, high % width)
        if lowHead == highHead {
            if lowTail == 0 && highTail == width - 1 { return [String(digits[lowHead])] }
            return patterns(lowTail, highTail, depth: depth - 1).map { String(digits[lowHead]) + $0 }
        }
        var result: [String] = []
        var fullFrom = lowHead
        if lowTail != 0 {
            result += patterns(lowTail, width - 1, depth: depth - 1).map { String(digits[lowHead]) + $0 }
            fullFrom += 1
        }
        var fullTo = highHead
        var tail: [String] = []
        if highTail != width - 1 {
            tail = patterns(0, highTail, depth: depth - 1).map { String(digits[highHead]) + $0 }
            fullTo -= 1
        }
        if fullFrom <= fullTo { result.append(digitClass(fullFrom, fullTo)) }
        return result + tail
    }
}
