/// Lists every image record of a namespace in pages that each stay under containerd's
/// response limit, however many there are.
///
/// Each listing is a full scan inside containerd (about a second of its CPU per 90,000
/// references, more with a filter), so the pager makes as few calls as it can:
/// - with a size hint (the last listing's size, remembered across restarts), it plans
///   enough pages of at most `pageBytes` at once;
/// - without one, it asks for everything: on a usual node that is the only call. When
///   containerd refuses (RESOURCE_EXHAUSTED, "trying to send message larger than max
///   (N vs. M)"), the refusal is the cheap first pass: it says how large the listing is, and
///   the page is divided into enough pages of at most `min(pageBytes, 3M/4)`.
/// A page refused again (an unlucky spread, or growth since the hint) is divided in two and
/// retried, so the listing is complete whatever the estimate said.
public struct ImageListingPager<Record: Sendable>: Sendable {
    /// One call: the records selected by any of `filters` (all of them when empty), and the
    /// size of the response on the wire.
    public typealias Fetch = @Sendable (_ filters: [String]) async throws -> (records: [Record], bytes: Int)

    public let pageBytes: Int
    /// Pages fetched at the same time: containerd scans each on its own core.
    public let width: Int
    private let fetch: Fetch
    private let isTooLarge: @Sendable (Error) -> Bool

    /// What one listing did, for the log, the size hint of the next one and the tests.
    public struct Listing: Sendable {
        /// The records, as the calls answered them: kept apart so that a caller done with one
        /// page can let it go while it works on the others.
        public var pages: [[Record]] = []
        /// The size of the whole listing on the wire (the next listing's hint).
        public var bytes = 0
        public var calls = 0
        public var refusals = 0
    }

    public struct Incomplete: Error, CustomStringConvertible {
        public var description: String
    }

    /// `isTooLarge` recognises containerd's refusal of an oversized response.
    public init(pageBytes: Int, width: Int = 2, fetch: @escaping Fetch, isTooLarge: @escaping @Sendable (Error) -> Bool) {
        self.pageBytes = max(1, pageBytes)
        self.width = max(1, width)
        self.fetch = fetch
        self.isTooLarge = isTooLarge
    }

    /// The pages planned for a listing of about `bytes`, with a tenth of headroom for growth.
    public func plan(hintBytes: Int?) -> [ImageListingPage] {
        guard let hint = hintBytes, hint > 0 else { return [.everything] }
        return ImageListingPage.partition(into: Self.pageCount(bytes: hint + hint / 10, pageBytes: pageBytes))
    }

    static func pageCount(bytes: Int, pageBytes: Int) -> Int { (bytes + pageBytes - 1) / pageBytes }

    public func list(hintBytes: Int? = nil) async throws -> Listing {
        var listing = Listing()
        var pending = plan(hintBytes: hintBytes)
        try await withThrowingTaskGroup(of: (ImageListingPage, Result<(records: [Record], bytes: Int), Error>).self) { group in
            var running = 0
            func launch() {
                let page = pending.removeFirst()
                running += 1
                group.addTask { [fetch] in
                    do { return (page, .success(try await fetch(page.filters))) } catch { return (page, .failure(error)) }
                }
            }
            while running < width && !pending.isEmpty { launch() }
            while let (page, result) = try await group.next() {
                running -= 1
                listing.calls += 1
                switch result {
                case let .success(answer):
                    if !answer.records.isEmpty { listing.pages.append(answer.records) }
                    listing.bytes += answer.bytes
                case let .failure(error) where isTooLarge(error):
                    listing.refusals += 1
                    pending.insert(contentsOf: try divide(page, refusal: error), at: 0)
                case let .failure(error):
                    throw error
                }
                while running < width && !pending.isEmpty { launch() }
            }
        }
        return listing
    }

    /// The pages replacing a refused one: as many as its reported size needs, else two.
    private func divide(_ page: ImageListingPage, refusal: Error) throws -> [ImageListingPage] {
        var count = 2
        if let (size, limit) = Self.sizes(in: String(describing: refusal)) {
            // The size is exact and digests spread evenly: pages at three quarters of the limit fit.
            let target = max(1, min(pageBytes, limit / 4 * 3))
            count = max(2, Self.pageCount(bytes: size + size / 10, pageBytes: target))
        }
        let pages = page.divided(into: count)
        guard pages.count > 1 else {
            throw Incomplete(description: "containerd refuses the image page \(page) even at the deepest split: \(refusal)")
        }
        return pages
    }

    /// (N, M) from grpc-go's "trying to send message larger than max (N vs. M)".
    static func sizes(in message: String) -> (size: Int, limit: Int)? {
        guard let marker = message.range(of: "larger than max (") else { return nil }
        let rest = message[marker.upperBound...]
        guard let close = rest.firstIndex(of: ")") else { return nil }
        let parts = rest[..<close].split(separator: " ")
        guard parts.count == 3, parts[1] == "vs.", let size = Int(parts[0]), let limit = Int(parts[2]),
              size > 0, limit > 0 else { return nil }
        return (size, limit)
    }
}
