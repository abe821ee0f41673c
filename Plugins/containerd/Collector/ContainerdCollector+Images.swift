import ContainerdImageIndex
import Dispatch
import GRPCCore
import Synchronization

/// What a full synchronisation did with images, for the log (and the end-to-end tests).
struct ImageSyncReport: CustomStringConvertible {
    var references = 0
    var listingCalls = 0
    var listingRefusals = 0
    var fromCache = 0
    var read = 0
    var unreadable = 0
    var dropped = 0

    var description: String {
        "\(references) image references in \(listingCalls) listing calls (\(listingRefusals) refused as too large); "
            + "image facts: \(fromCache) from the cache, \(read) read, \(unreadable) unreadable, \(dropped) dropped"
    }
}

extension ContainerdCollector {
    /// Every image record of a namespace, in pages under containerd's response limit.
    func listImages(namespace: String, _ api: ContainerdAPI, report: inout ImageSyncReport) async throws -> [ListedImage] {
        let pager = ImageListingPager<ListedImage>(
            pageBytes: settings.listingPageBytes, width: 2,
            fetch: { filters in try await api.images(namespace: namespace, filters: filters) },
            isTooLarge: { error in
                // grpc-go: RESOURCE_EXHAUSTED "trying to send message larger than max (N vs. M)".
                guard let error = error as? RPCError else { return false }
                return error.code == .resourceExhausted || error.message.contains("larger than max")
            })
        let listing = try await pager.list(hintBytes: listingSizes[namespace])
        listingSizes[namespace] = listing.bytes
        report.references += listing.records.count
        report.listingCalls += listing.calls
        report.listingRefusals += listing.refusals
        return listing.records
    }

    /// Makes sure every listed target has its facts: from memory, else from the cache file
    /// (the first sync after a start), else read from containerd — `readWidth` images at a
    /// time over the pool's connections, each written to the cache as it comes.
    func resolveImages(_ images: [ListedImage], _ api: ContainerdAPI, report: inout ImageSyncReport) async throws {
        if !imageCacheLoaded, let imageCache {
            do {
                for (digest, content) in try imageCache.all() where contentCache[digest] == nil { contentCache[digest] = content }
            } catch {
                sink.log(.warn, "image cache \(imageCache.path) unreadable, reading every image: \(error)")
            }
            imageCacheLoaded = true
        }
        var pending: [String: ListedImage] = [:]
        var known: Set<String> = []
        for image in images {
            if contentCache[image.target.digest] != nil { known.insert(image.target.digest) } else { pending[image.target.digest] = image }
        }
        report.fromCache = known.count
        let work = Array(pending.values)
        pending = [:]
        var fresh: [(String, ImageContent)] = []
        let width = settings.readWidth
        // One watchdog for every read (they have no deadline of their own, see `ContainerdAPI.blob`):
        // no read answering for `requestTimeout` ends the session, as a call's deadline did.
        let progress = ReadProgress()
        let stallLimit = settings.requestTimeout
        try await withThrowingTaskGroup(of: (String, ImageContent?)?.self) { group in
            var next = 0
            func launch() {
                let item = work[next]
                next += 1
                group.addTask { [sink] in
                    defer { progress.mark() }
                    do {
                        let content = try await ImageContent.resolve(mediaType: item.target.mediaType, digest: item.target.digest,
                                                                     size: item.target.size) {
                            try await api.blob(namespace: item.namespace, digest: $0)
                        }
                        return (item.target.digest, content)
                    } catch let error as RPCError where error.code != .notFound {
                        throw error
                    } catch let error as CancellationError {
                        throw error
                    } catch {
                        sink.log(.warn, "image \(item.name) in \(item.namespace): cannot read its manifest or config: \(error)")
                        return (item.target.digest, nil)
                    }
                }
            }
            guard !work.isEmpty else { return }
            group.addTask {
                while true {
                    try await Task.sleep(for: .seconds(1))
                    if progress.idle > stallLimit {
                        throw RPCError(code: .deadlineExceeded, message: "no image read answered for \(stallLimit)")
                    }
                }
            }
            while next < min(width, work.count) { launch() }
            var remaining = work.count
            while remaining > 0, let answer = try await group.next() {
                guard let (digest, content) = answer else { continue }
                remaining -= 1
                if let content {
                    contentCache[digest] = content
                    fresh.append((digest, content))
                    report.read += 1
                    // Written in batches as they come: a sync cut short keeps what it read.
                    if fresh.count >= 2000 {
                        remember(fresh)
                        fresh.removeAll(keepingCapacity: true)
                    }
                } else {
                    report.unreadable += 1
                }
                if next < work.count { launch() }
            }
            group.cancelAll()
        }
        remember(fresh)
    }

    /// Writes newly read facts to the cache file; a failure costs only rereads later.
    func remember(_ entries: [(String, ImageContent)]) {
        guard let imageCache, !entries.isEmpty else { return }
        do { try imageCache.store(entries) } catch {
            sink.log(.warn, "image cache \(imageCache.path): cannot store \(entries.count) images' facts: \(error)")
        }
    }

    /// After a complete listing: facts of targets nothing references any more leave memory
    /// and the cache file, and the listing sizes are kept for the next start.
    func forgetUnlistedContent(listedTargets: Set<String>, report: inout ImageSyncReport) {
        contentCache = contentCache.filter { listedTargets.contains($0.key) }
        guard let imageCache else { return }
        do {
            report.dropped = try imageCache.retain(only: listedTargets)
            try imageCache.setListingSizes(listingSizes)
        } catch {
            sink.log(.warn, "image cache \(imageCache.path): cannot drop vanished images: \(error)")
        }
    }
}

/// When a read last answered, for the watchdog of a batch of reads.
final class ReadProgress: Sendable {
    private let last = Atomic<UInt64>(DispatchTime.now().uptimeNanoseconds)

    func mark() { last.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed) }

    /// Time since the last answer (or since the batch began).
    var idle: Duration { .nanoseconds(Int64(DispatchTime.now().uptimeNanoseconds &- last.load(ordering: .relaxed))) }
}
