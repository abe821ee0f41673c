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
    /// Every image record of a namespace, listed in pages under containerd's response limit.
    func listImages(namespace: String, _ api: ContainerdAPI, report: inout ImageSyncReport) async throws -> [[ListedImage]] {
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
        report.references += listing.pages.reduce(0) { $0 + $1.count }
        report.listingCalls += listing.calls
        report.listingRefusals += listing.refusals
        // In batches of a few thousand records, so that publishing lets each go as it is done
        // with it (a 30,000-record page would otherwise stay whole until its last image is out).
        let batch = 4096
        return listing.pages.flatMap { page in
            stride(from: 0, to: page.count, by: batch).map { Array(page[$0 ..< min($0 + batch, page.count)]) }
        }
    }

    /// Puts the facts of every listed image given in `resolvedFacts`: from the cache file,
    /// else read from containerd — `readWidth` images at a time over the pool's connections,
    /// each written to the cache file as it comes.
    func resolveImages(_ images: some Sequence<ListedImage>, _ api: ContainerdAPI, report: inout ImageSyncReport) async throws {
        var pending: [String: ListedImage] = [:]
        for image in images where resolvedFacts[image.target.digest] == nil { pending[image.target.digest] = image }
        let needed = pending.count
        if !pending.isEmpty, let imageCache {
            do {
                if imageCacheLoaded {
                    for digest in Array(pending.keys) {
                        if let content = try imageCache.facts(target: digest) {
                            resolvedFacts[digest] = content
                            pending[digest] = nil
                        }
                    }
                } else {
                    // The first sync after a start needs nearly every row: one query.
                    for (digest, content) in try imageCache.all() where pending.removeValue(forKey: digest) != nil {
                        resolvedFacts[digest] = content
                    }
                }
            } catch {
                sink.log(.warn, "image cache \(imageCache.path) unreadable, reading those images: \(error)")
            }
            imageCacheLoaded = true
        }
        report.fromCache += needed - pending.count
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
                    resolvedFacts[digest] = content
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

    /// Publishes every image of a complete listing (the catalog built from it) once, with all
    /// its references, batch by batch from the last: a batch's records leave memory as its
    /// images are published, while the store grows. Returns each published image's fingerprint.
    func publishImages(batches: inout [[ListedImage]], _ api: ContainerdAPI) async throws -> [String: Int] {
        var published: [String: Int] = [:]
        published.reserveCapacity(catalog.configs.count)
        // An image whose references lie in several batches waits here for the rest.
        var waiting: [String: [ListedImage]] = [:]
        while var batch = batches.popLast() {
            var keyed = batch.compactMap { record in
                catalog.config(of: .init(namespace: record.namespace, name: record.name)).map { (config: $0, record: record) }
            }
            batch = []
            keyed.sort { $0.config > $1.config }
            while let config = keyed.last?.config {
                var group = waiting.removeValue(forKey: config) ?? []
                while let last = keyed.last, last.config == config { group.append(keyed.removeLast().record) }
                if group.count < catalog.referenceCount(of: config) {
                    waiting[config] = group
                    continue
                }
                if let fingerprint = try await publishImage(config, references: group, api) { published[config] = fingerprint }
                if resolvedFacts.count < resolvedFacts.capacity / 4 && resolvedFacts.capacity > 4096 {
                    resolvedFacts = resolvedFacts.compacted()
                }
            }
        }
        // Empty unless two references' hashes collided (see `ImageCatalog`): publish what there is.
        for (config, group) in waiting {
            if let fingerprint = try await publishImage(config, references: group, api) { published[config] = fingerprint }
        }
        return published
    }

    /// Publishes `config`'s consolidated image, named by those of `references` (records of a
    /// listing) that link to it and built from its describing target's facts, unless the one
    /// published is the same. Returns the fingerprint of what is out; nil when the facts cannot
    /// be had (the image is then tried again at the next sync).
    func publishImage(_ config: String, references: [ListedImage], _ api: ContainerdAPI) async throws -> Int? {
        let names = catalog.names(of: config, among: references)
        guard let describing = catalog.describingTarget(of: config),
              let fingerprint = catalog.fingerprint(of: config, names: names) else { return nil }
        if publishedImages[config] == fingerprint { return fingerprint }
        // Read with the media type and size a listed record of that target gives, when neither
        // in hand nor in the cache file (it could not be written, or is unusable).
        guard let record = references.first(where: { $0.target.digest == describing }) else { return nil }
        guard let content = try await facts(of: record.target, name: record.name, namespace: record.namespace, api) else {
            return nil
        }
        guard let image = catalog.image(config: config, names: names, content: content) else { return nil }
        sink.publish(.image(image))
        // Published: the store holds these facts now.
        resolvedFacts[describing] = nil
        return fingerprint
    }

    /// A target's facts: in hand, else from the cache file, else read from containerd (and
    /// written to the cache file).
    func resolve(_ target: ListedImage.Target, namespace: String, _ api: ContainerdAPI) async throws -> ImageContent {
        if let content = resolvedFacts[target.digest] ?? cachedFacts(target: target.digest) { return content }
        let content = try await ImageContent.resolve(mediaType: target.mediaType, digest: target.digest, size: target.size) {
            try await api.blob(namespace: namespace, digest: $0)
        }
        remember([(target.digest, content)])
        return content
    }

    /// `resolve`, with an image whose manifest or config cannot be read logged and answered nil;
    /// containerd's own failures still end the session.
    func facts(of target: ListedImage.Target, name: String, namespace: String, _ api: ContainerdAPI) async throws -> ImageContent? {
        do {
            return try await resolve(target, namespace: namespace, api)
        } catch let error as RPCError where error.code != .notFound {
            throw error
        } catch {
            sink.log(.warn, "image \(name) in \(namespace): cannot read its manifest or config: \(error)")
            return nil
        }
    }

    /// One target's facts from the cache file; nil when it has no row or no file.
    func cachedFacts(target: String) -> ImageContent? {
        guard let imageCache else { return nil }
        do { return try imageCache.facts(target: target) } catch {
            sink.log(.warn, "image cache \(imageCache.path) unreadable: \(error)")
            return nil
        }
    }

    /// After a complete listing: the rows of targets nothing references any more leave the
    /// cache file, and the listing sizes are kept for the next start.
    func forgetUnlistedTargets(listedTargets: Set<String>, report: inout ImageSyncReport) {
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
