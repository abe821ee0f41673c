@testable import ContainerdImageIndex
import Foundation
import Synchronization
import Testing

/// The paged image listing: pages partition every digest exactly once, and the pager
/// lists everything under a response limit, dividing pages containerd refuses.
@Suite struct ImageListingPagerTests {
    /// A containerd filter `target.digest~="RE"` as the regular expression containerd evaluates.
    static func expression(_ filter: String) throws -> NSRegularExpression {
        let prefix = #"target.digest~=""#
        #expect(filter.hasPrefix(prefix) && filter.hasSuffix("\""), "filter \(filter)")
        return try NSRegularExpression(pattern: String(filter.dropFirst(prefix.count).dropLast()))
    }

    /// A page's filters, compiled once.
    struct Selector {
        let page: ImageListingPage
        let expressions: [NSRegularExpression]

        init(_ page: ImageListingPage) throws {
            self.page = page
            expressions = try page.filters.map(ImageListingPagerTests.expression)
        }

        func selects(_ digest: String) -> Bool {
            expressions.isEmpty || expressions.contains {
                $0.firstMatch(in: digest, range: NSRange(digest.startIndex..., in: digest)) != nil
            }
        }
    }

    static func randomDigest<G: RandomNumberGenerator>(_ generator: inout G) -> String {
        "sha256:" + String((0..<64).map { _ in Array("0123456789abcdef").randomElement(using: &generator)! })
    }

    /// Unusual digests too: another algorithm, upper case, no colon, nothing after it.
    static let oddDigests = ["sha512:0abc", "sha256:ABCDEF", "nocolon", "sha256:", "", "sha256:g00d", "x:y:0"]

    @Test(arguments: [1, 2, 3, 5, 16, 17, 40, 256, 300])
    func partitionsCoverEveryDigestExactlyOnce(pages count: Int) throws {
        var generator = SeededGenerator(seed: UInt64(count))
        let pages = ImageListingPage.partition(into: count)
        #expect(pages.count == min(count, count <= 16 ? 16 : count <= 256 ? 256 : 4096))
        let digests = (0..<400).map { _ in Self.randomDigest(&generator) } + Self.oddDigests
            + ["sha256:0000", "sha256:ffff", "sha256:9fff", "sha256:a000"]
        let selectors = try pages.map(Selector.init)
        for digest in digests {
            let holders = selectors.filter { $0.selects(digest) }
            #expect(holders.count == 1, "\(digest) is on \(holders.map(\.page.description))")
        }
    }

    @Test func splittingKeepsEveryRecordOnExactlyOnePage() throws {
        var generator = SeededGenerator(seed: 7)
        let digests = (0..<300).map { _ in Self.randomDigest(&generator) } + Self.oddDigests
        var pages = [ImageListingPage.everything]
        // Split repeatedly, the first page each time: down to depth 3 and across range halves.
        for _ in 0..<12 { pages = pages[0].split()! + pages.dropFirst() }
        pages = pages.flatMap { $0.divided(into: 3) }
        #expect(pages.contains { $0.depth >= 3 })
        let selectors = try pages.map(Selector.init)
        for digest in digests {
            #expect(selectors.filter { $0.selects(digest) }.count == 1, "\(digest)")
        }
    }

    @Test func refusalSizesAreRead() {
        let message = "RPCError: resourceExhausted: grpc: trying to send message larger than max (26515466 vs. 16777216)"
        #expect(ImageListingPagerTests.sizes(message) == [26_515_466, 16_777_216])
        #expect(ImageListingPagerTests.sizes("larger than max (x vs. 1)") == nil)
    }

    static func sizes(_ message: String) -> [Int]? {
        guard let (size, limit) = ImageListingPager<String>.sizes(in: message) else { return nil }
        return [size, limit]
    }

    /// An in-memory image store answering like containerd: filters select records, a response
    /// over `limit` bytes is refused with grpc-go's message.
    final class RefusingStore: Sendable {
        struct TooLarge: Error, CustomStringConvertible { var description: String }
        let records: [(name: String, digest: String)]
        let limit: Int
        let calls = Mutex<[[String]]>([])

        init(records: [(name: String, digest: String)], limit: Int) {
            self.records = records
            self.limit = limit
        }

        static func size(_ record: (name: String, digest: String)) -> Int { 40 + record.name.utf8.count + record.digest.utf8.count }

        func fetch(_ filters: [String]) throws -> (records: [String], bytes: Int) {
            calls.withLock { $0.append(filters) }
            let expressions = try filters.map(ImageListingPagerTests.expression)
            let selected = records.filter { record in
                expressions.isEmpty || expressions.contains {
                    $0.firstMatch(in: record.digest, range: NSRange(record.digest.startIndex..., in: record.digest)) != nil
                }
            }
            let bytes = selected.reduce(0) { $0 + Self.size($1) }
            if bytes > limit { throw TooLarge(description: "grpc: trying to send message larger than max (\(bytes) vs. \(limit))") }
            return (selected.map(\.name), bytes)
        }
    }

    func store(references: Int, limit: Int, seed: UInt64) -> RefusingStore {
        var generator = SeededGenerator(seed: seed)
        var records: [(name: String, digest: String)] = []
        // Three references per image, as in the benchmark, and a few odd digests.
        while records.count < references {
            let digest = Self.randomDigest(&generator)
            for k in 0..<3 { records.append(("example.com/team/img\(records.count)-\(k)", digest)) }
        }
        for (index, odd) in Self.oddDigests.enumerated() { records.append(("odd/\(index)", odd)) }
        return RefusingStore(records: records, limit: limit)
    }

    @Test func listsEverythingUnderTheLimitWithoutAHint() async throws {
        let containerd = store(references: 3000, limit: 40_000, seed: 1)
        let pager = ImageListingPager<String>(pageBytes: 30_000, fetch: { try containerd.fetch($0) },
                                             isTooLarge: { $0 is RefusingStore.TooLarge })
        let listing = try await pager.list()
        #expect(listing.pages.joined().count == containerd.records.count)
        #expect(Set(listing.pages.joined()) == Set(containerd.records.map(\.name)), "every reference, none twice")
        #expect(listing.refusals >= 1, "the unfiltered listing is refused first")
        #expect(listing.bytes == containerd.records.reduce(0) { $0 + RefusingStore.size($1) })
        // The refusal said how large the listing is: the first division was big enough for all but a few pages.
        #expect(listing.calls <= 1 + 3 * (listing.bytes / 20_000 + 2), "\(listing.calls) calls")
    }

    @Test func aHintPlansThePagesAndAnUnderestimateStillCompletes() async throws {
        let containerd = store(references: 3000, limit: 40_000, seed: 2)
        let pager = ImageListingPager<String>(pageBytes: 30_000, width: 3, fetch: { try containerd.fetch($0) },
                                             isTooLarge: { $0 is RefusingStore.TooLarge })
        let total = containerd.records.reduce(0) { $0 + RefusingStore.size($1) }
        let planned = try await pager.list(hintBytes: total)
        #expect(planned.refusals == 0)
        #expect(planned.calls == pager.plan(hintBytes: total).count)
        #expect(Set(planned.pages.joined()).count == containerd.records.count && planned.pages.joined().count == containerd.records.count)

        // A hint from when the store was a tenth of its size: pages get refused and divided.
        let stale = try await pager.list(hintBytes: total / 10)
        #expect(stale.refusals > 0)
        #expect(Set(stale.pages.joined()) == Set(containerd.records.map(\.name)) && stale.pages.joined().count == containerd.records.count)
    }

    @Test func otherErrorsAreNotRetried() async throws {
        struct Unavailable: Error {}
        let pager = ImageListingPager<String>(pageBytes: 100, fetch: { _ in throw Unavailable() },
                                             isTooLarge: { _ in false })
        await #expect(throws: Unavailable.self) { _ = try await pager.list() }
    }
}

/// Reproducible digests: the DogStatsD property tests' generator.
typealias SeededGenerator = ParserPropertyTests.SplitMix

extension ParserPropertyTests.SplitMix {
    init(seed: UInt64) { self.init(state: seed) }
}
