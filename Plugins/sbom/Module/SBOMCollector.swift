import FoundationEssentials
import SBOMScanner
import VigilEntities
import VigilSwiftModuleKit

/// Keeps a bill of materials for every image containerd holds and for the host: learns of
/// images from the workload store, scans them through the queue's rules, keeps the results
/// in its database and reports each image's scan status on the image entity.
actor SBOMCollector {
    private let settings: SBOMSettings
    private let host: ModuleHost
    private let database: SBOMDatabase?
    private var queue: ScanQueue
    /// The image source's reports, by image id, while the image exists.
    private var images: [String: Image] = [:]
    private var namespaceOf: [String: String] = [:]
    /// Images the full queue turned away, offered again as room frees (oldest id first).
    private var turnedAway: Set<String> = []
    private let started = ContinuousClock.now

    init(settings: SBOMSettings, host: ModuleHost) {
        self.settings = settings
        self.host = host
        queue = ScanQueue(baseBackoff: settings.baseBackoff, maxBackoff: settings.maxBackoff,
                          capacity: settings.queueCapacity)
        var database: SBOMDatabase?
        if let path = settings.databasePath {
            do {
                // run_path may not exist yet when this instance starts before the agent's other users of it.
                let folder = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
                if !folder.isEmpty {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                            attributes: [.posixPermissions: 0o700])
                }
                database = try SBOMDatabase(path: path)
            } catch {
                host.log(.warn, "sbom: \(error); bills of materials are kept in memory only until restart")
            }
        }
        self.database = database
    }

    private var now: Double { (ContinuousClock.now - started).seconds }

    func run() async {
        let (changes, feed) = AsyncStream<[EntityChange]>.makeStream()
        var subscription: EntitySubscription?
        if settings.containerImages {
            do {
                subscription = try EntitySubscription(host: host, name: "sbom", kinds: [.image], source: settings.imageSource) {
                    batch, _ in feed.yield(batch)
                }
            } catch {
                host.log(.error, "sbom: cannot subscribe to images: \(error)")
            }
        }
        host.setReady()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await batch in changes { await self.apply(batch) } }
            if settings.containerImages {
                for _ in 0..<settings.workers { group.addTask { await self.work() } }
            }
            if settings.host { group.addTask { await self.scanHostPeriodically() } }
            await withTaskCancellationHandler {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            } onCancel: { feed.finish() }
            group.cancelAll()
        }
        subscription?.cancel()
    }

    // MARK: images coming and going

    private func apply(_ batch: [EntityChange]) {
        for change in batch {
            guard case let .image(image) = change.entity else { continue }
            switch change {
            case .set:
                images[image.id] = image
                if queue.add(image.id) {
                    report(image.id, SBOMState(status: "pending"))
                } else if queue.entries[image.id] == nil, turnedAway.insert(image.id).inserted {
                    host.log(.warn, "sbom: scan queue full (\(settings.queueCapacity)); image \(image.id) dropped until there is room")
                    // "failed" with no retry time: status counts it among the failed, with this reason.
                    report(image.id, SBOMState(status: "failed", error: "dropped: the scan queue is full (scan_queue.max_size \(settings.queueCapacity)); queued again when there is room"))
                }
            case .unset:
                // Its last reference went: forget it, drop any retry, withdraw what we reported.
                images[image.id] = nil
                namespaceOf[image.id] = nil
                turnedAway.remove(image.id)
                queue.remove(image.id)
                host.remove(.image, id: image.id)
                try? database?.remove(subject: image.id)
            }
        }
    }

    private func readmitTurnedAway() {
        guard !turnedAway.isEmpty else { return }
        for id in turnedAway.sorted() {
            guard queue.queuedCount < settings.queueCapacity else { return }
            turnedAway.remove(id)
            if queue.add(id) { report(id, SBOMState(status: "pending")) }
        }
    }

    /// Reports the scan status on the image entity, while the image exists.
    private func report(_ id: String, _ state: SBOMState) {
        guard images[id] != nil else { return }
        host.publish(.image(Image(id: id, sbom: state)))
    }

    // MARK: workers

    private func work() async {
        while !Task.isCancelled {
            readmitTurnedAway()
            guard let id = queue.next(now: now), let image = images[id] else {
                try? await Task.sleep(for: .milliseconds(250))
                continue
            }
            let previous = queue.entries[id]?.lastError ?? ""
            report(id, SBOMState(status: "scanning", error: previous))
            let begun = ContinuousClock.now
            let outcome = await withTimeout(settings.scanTimeout) { try await self.scan(image) }
            let milliseconds = Int64((ContinuousClock.now - begun).seconds * 1000)
            switch outcome {
            case let .success(scanned):
                let bom = scanned.bom
                let document = CycloneDX.document(bom)
                let record = SBOMDatabase.Record(
                    subject: bom.subject, status: "success", error: "", generatedAt: Self.unixNanoseconds(),
                    durationMilliseconds: milliseconds, packageCount: Int64(bom.packages.count),
                    layersRead: Int64(scanned.layersRead), layerCacheHits: Int64(scanned.cacheHits))
                guard images[id] != nil else { continue }
                do { try database?.store(record, document: document) } catch {
                    host.log(.warn, "sbom: cannot store the bill of materials of \(id): \(error)")
                }
                queue.succeeded(id)
                host.log(.info, "sbom: scanned \(image.name.isEmpty ? id : image.name) (\(id)): \(bom.packages.count) packages, \(scanned.layersRead) layers read, \(scanned.cacheHits) from the layer cache, \(milliseconds) ms")
                report(id, SBOMState(status: "success", generatedAt: record.generatedAt,
                                     durationMilliseconds: milliseconds, packageCount: record.packageCount))
            case let .failure(error):
                let message = "\(error)"
                if let delay = queue.failed(id, error: message, now: now) {
                    host.log(.warn, "sbom: scan of \(image.name.isEmpty ? id : image.name) failed: \(message); retry in \(Int(delay)) s")
                    report(id, SBOMState(status: "failed", error: message,
                                         retryAt: Self.unixNanoseconds() + Int64(delay * 1e9)))
                    let record = SBOMDatabase.Record(
                        subject: subject(of: image), status: "failed", error: message, generatedAt: Self.unixNanoseconds(),
                        durationMilliseconds: milliseconds, packageCount: 0)
                    try? database?.store(record, document: nil)
                }
            }
        }
    }

    private func subject(of image: Image) -> BOMSubject {
        BOMSubject(kind: .image, id: image.id, name: image.name.isEmpty ? image.id : image.name,
                   repoTags: image.repoTags, repoDigests: image.repoDigests)
    }

    /// Streams the image's layers from containerd's content store, or reads a running
    /// container's root when the layer blobs were discarded after unpacking.
    private func scan(_ image: Image) async throws -> ScanOutcome {
        let content = try ContainerdContent(socketPath: settings.socketPath, timeout: .seconds(30))
        do {
            let result = try await scanContent(image, content)
            await content.close()
            return result
        } catch {
            await content.close()
            throw error
        }
    }

    private func scanContent(_ image: Image, _ content: ContainerdContent) async throws -> ScanOutcome {
        content.namespace = try await namespace(of: image.id, content)
        let config = try await content.blob(image.id)
        let diffIDs = try OCIImageLayout.diffIDs(config: config)
        guard !image.layers.isEmpty else { throw ScanFailure("image \(image.id) lists no layers") }
        var scanner = ImageScanner(cache: database)
        scanner.progress = nil
        do {
            let result = try await scanner.scan(layers: image.layers, diffIDs: diffIDs, from: content)
            return ScanOutcome(bom: BillOfMaterials(subject: subject(of: image), view: LayerStack.squash(result.inventories)),
                               layersRead: result.layersRead, cacheHits: result.cacheHits)
        } catch let missing as ContainerdContent.BlobMissing {
            guard let pid = runningContainerPID(of: image.id) else {
                throw ScanFailure("\(missing) (discarded after unpacking?) and no running container of the image to read instead")
            }
            let root = "\(settings.procRoot)/\(pid)/root"
            let inventory = try await Task.detached { try FolderScanner(root: root).scan() }.value
            host.log(.info, "sbom: \(missing); read the root of running container process \(pid) instead")
            return ScanOutcome(bom: BillOfMaterials(subject: subject(of: image), view: LayerStack.squash([inventory])),
                               layersRead: 0, cacheHits: 0)
        }
    }

    private func namespace(of id: String, _ content: ContainerdContent) async throws -> String {
        if let known = namespaceOf[id] { return known }
        for namespace in try await content.namespaces() {
            content.namespace = namespace
            if try await content.has(id) {
                namespaceOf[id] = namespace
                return namespace
            }
        }
        throw ScanFailure("config blob \(id) is in no containerd namespace's content store")
    }

    private func runningContainerPID(of imageID: String) -> Int64? {
        host.entities(.container).compactMap(\.container)
            .first { $0.imageID == imageID && $0.state == .running && $0.pid > 0 }?.pid
    }

    // MARK: the host

    private func scanHostPeriodically() async {
        while !Task.isCancelled {
            await scanHost()
            try? await Task.sleep(for: settings.hostScanInterval)
        }
    }

    /// Scans the host's root once. A failure is reported and waits for the next interval; no backoff.
    func scanHost() async {
        let hostname = host.hostname
        let subject = BOMSubject(kind: .host, id: "host", name: hostname)
        let begun = ContinuousClock.now
        let root = settings.hostRoot
        let excluded = settings.hostExcluded
        let outcome = await withTimeout(settings.scanTimeout) {
            try await Task.detached { try FolderScanner(root: root, excluded: excluded).scan() }.value
        }
        let milliseconds = Int64((ContinuousClock.now - begun).seconds * 1000)
        switch outcome {
        case let .success(inventory):
            let bom = BillOfMaterials(subject: subject, view: LayerStack.squash([inventory]))
            let record = SBOMDatabase.Record(subject: subject, status: "success", error: "", generatedAt: Self.unixNanoseconds(),
                                             durationMilliseconds: milliseconds, packageCount: Int64(bom.packages.count))
            try? database?.store(record, document: CycloneDX.document(bom))
        case let .failure(error):
            host.log(.warn, "sbom: host scan of \(root) failed: \(error); next attempt in \(Int(settings.hostScanInterval.seconds)) s")
            let record = SBOMDatabase.Record(subject: subject, status: "failed", error: "\(error)",
                                             generatedAt: Self.unixNanoseconds(), durationMilliseconds: milliseconds,
                                             packageCount: 0)
            try? database?.store(record, document: nil)
        }
    }

    static func unixNanoseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }
}

struct ScanOutcome: Sendable {
    var bom: BillOfMaterials
    var layersRead: Int
    var cacheHits: Int
}

struct ScanFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

struct ScanTimedOut: Error, CustomStringConvertible {
    var limit: Duration
    var description: String { "scan took longer than \(Int(limit.seconds)) s (scan_timeout)" }
}

/// Runs `operation`, cancelled after `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async -> Result<T, Error> {
    await withTaskGroup(of: Result<T, Error>?.self) { group in
        group.addTask {
            do { return .success(try await operation()) } catch { return .failure(error) }
        }
        group.addTask {
            try? await Task.sleep(for: limit)
            return Task.isCancelled ? nil : .failure(ScanTimedOut(limit: limit))
        }
        var outcome: Result<T, Error> = .failure(ScanTimedOut(limit: limit))
        for await result in group {
            if let result {
                outcome = result
                break
            }
        }
        group.cancelAll()
        return outcome
    }
}
