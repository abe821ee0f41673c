import ContainerdAPI
import ContainerdImageIndex
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import VigilEntities
import VigilSwiftModuleKit

/// Keeps the workload store in step with containerd: a full synchronisation, then the
/// event stream; after any disconnection, reconnects with backoff and synchronises again,
/// withdrawing what disappeared meanwhile. Only read-only calls are ever made.
actor ContainerdCollector {
    let settings: CollectorSettings
    let sink: EntityPublisher
    private let builder: ContainerBuilder

    /// What this module has published, so a resync can withdraw what vanished.
    private var publishedContainers: [String: Container] = [:]
    /// Each published image's fingerprint (`ImageCatalog.fingerprint`: its config, describing
    /// target and names, hashed), not the image: the store keeps the image, and all this
    /// module needs is whether a rebuilt one would differ, which the fingerprint tells without
    /// reading facts. A change that hashes like the old one (odds of 2^-64) would go
    /// unpublished until the image changes again.
    var publishedImages: [String: Int] = [:]
    var catalog = ImageCatalog()
    /// Images that image events changed, to be published again at the end of the event window.
    var imagesToRepublish: Set<String> = []
    /// Facts read (or loaded from the cache file) for the sync or event at hand, by target
    /// digest, until the images they describe are published; empty in between. The cache
    /// file keeps them: `publishImage` reads them back from it, or from containerd, when an
    /// image has to be built again.
    var resolvedFacts: [String: ImageContent] = [:]
    /// The same facts on disk, across restarts; nil when run_path cannot hold the file.
    var imageCache: ImageFactsCache?
    var imageCacheLoaded = false
    /// Each namespace's last listing size, which sizes the next listing's pages.
    var listingSizes: [String: Int] = [:]
    var lastSyncReport = ImageSyncReport()
    private var ready = false
    private var consecutiveFailures = 0
    private(set) var syncCount = 0

    private enum Signal: Sendable {
        case event(Containerd_Services_Events_V1_Envelope)
        case resync
        case refreshNetwork
        /// The images image events changed since the last of these, published again.
        case republishImages
    }

    /// How long image events gather before their images are listed again: a pull, a prune
    /// or image garbage collection sends dozens at once, and each listing is a scan of every
    /// image record inside containerd.
    static let imageEventWindow: Duration = .milliseconds(250)

    struct Disconnected: Error, CustomStringConvertible {
        var description: String { "event stream ended" }
    }

    static let topicPatterns = ["^/containers/", "^/images/", "^/tasks/"]

    init(settings: CollectorSettings, sink: EntityPublisher) {
        self.settings = settings
        self.sink = sink
        builder = ContainerBuilder(environmentAllowList: settings.environmentAllowList, procRoot: settings.procRoot)
    }

    /// Opens the image cache; without it the module works as before, reading every blob.
    private func openImageCache() {
        guard imageCache == nil, let path = settings.imageCachePath else { return }
        do {
            let folder = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            imageCache = try ImageFactsCache(path: path, socket: settings.socketPath)
            listingSizes = try imageCache?.listingSizes() ?? [:]
        } catch {
            sink.log(.warn, "image cache \(path) unusable, every image's manifest and config will be read: \(error)")
            imageCache = nil
        }
    }

    /// Runs until the task is cancelled.
    func run() async {
        openImageCache()
        var backoff = settings.initialBackoff
        while !Task.isCancelled {
            do {
                guard FileManager.default.fileExists(atPath: settings.socketPath) else {
                    throw RPCError(code: .unavailable, message: "socket \(settings.socketPath) does not exist")
                }
                let transport = try HTTP2ClientTransport.Posix(
                    target: .unixDomainSocket(path: settings.socketPath), transportSecurity: .plaintext)
                let blobClients = BlobReaderPool(socketPath: settings.socketPath, connections: settings.blobConnections)
                do {
                    try await withGRPCClient(transport: transport) { client in
                        try await self.session(ContainerdAPI(client: client, blobClients: blobClients,
                                                             timeout: self.settings.requestTimeout))
                    }
                    await blobClients.shutdown()
                } catch {
                    await blobClients.shutdown()
                    throw error
                }
            } catch {
                if Task.isCancelled { break }
                sink.reportConnection(false, detail: "\(settings.socketPath): \(error)")
                if consecutiveFailures == 0 {
                    sink.log(.warn, "containerd at \(settings.socketPath) unavailable (\(error)); retrying with backoff up to \(settings.maxBackoff)")
                } else {
                    sink.log(.debug, "containerd still unavailable: \(error)")
                }
                consecutiveFailures += 1
            }
            if consecutiveFailures == 0 { backoff = settings.initialBackoff }
            do { try await Task.sleep(for: backoff) } catch { break }
            backoff = min(backoff * 2, settings.maxBackoff)
        }
    }

    private func session(_ api: ContainerdAPI) async throws {
        let (signals, continuation) = AsyncStream<Signal>.makeStream()
        let resyncInterval = settings.resyncInterval
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await api.subscribe(topicsMatching: ContainerdCollector.topicPatterns) { envelope in
                    continuation.yield(.event(envelope))
                }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: resyncInterval)
                    continuation.yield(.resync)
                }
            }
            let networkInterval = settings.networkRefreshInterval
            group.addTask {
                while true {
                    try await Task.sleep(for: networkInterval)
                    continuation.yield(.refreshNetwork)
                }
            }
            // Subscribe first so nothing between the listing and the stream is lost; events
            // that arrive during the listing are applied after it (they re-read current state).
            try await Task.sleep(for: .milliseconds(100))
            let started = ContinuousClock.now
            try await synchronise(api)
            if !ready {
                let elapsed = (ContinuousClock.now - started).components
                let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                sink.log(.info, "first sync: \(publishedContainers.count) containers and \(publishedImages.count) images from containerd at \(settings.socketPath) in \(String(format: "%.2f", seconds)) s (\(lastSyncReport))")
            }
            sink.reportConnection(true, detail: settings.socketPath)
            if consecutiveFailures > 0 { sink.log(.info, "containerd reachable again; store resynchronised") }
            consecutiveFailures = 0
            if !ready {
                ready = true
                sink.setReady()
            }
            for await signal in signals {
                switch signal {
                case let .event(envelope):
                    let waiting = !imagesToRepublish.isEmpty
                    try await apply(envelope, api)
                    if !waiting && !imagesToRepublish.isEmpty {
                        group.addTask {
                            try await Task.sleep(for: ContainerdCollector.imageEventWindow)
                            continuation.yield(.republishImages)
                        }
                    }
                case .resync: try await synchronise(api)
                case .refreshNetwork: refreshNetworks()
                case .republishImages: try await republishChangedImages(api)
                }
            }
            throw Disconnected()
        }
    }

    // MARK: full synchronisation

    func synchronise(_ api: ContainerdAPI) async throws {
        let namespaces: [String]
        if let configured = settings.namespaces { namespaces = configured } else { namespaces = try await api.namespaces() }
        var listed: [(namespace: String, container: Containerd_Services_Containers_V1_Container,
                      task: Containerd_V1_Types_Process?)] = []
        var report = ImageSyncReport()
        var listedImages: [[ListedImage]] = []
        for namespace in namespaces {
            listedImages += try await listImages(namespace: namespace, api, report: &report)
            var tasks: [String: Containerd_V1_Types_Process] = [:]
            for task in try await api.tasks(namespace: namespace) {
                tasks[task.containerID.isEmpty ? task.id : task.containerID] = task
            }
            for container in try await api.containers(namespace: namespace) {
                listed.append((namespace, container, tasks[container.id]))
            }
        }
        // Each reference's image: the catalog's link while the reference names the same target
        // (a target's facts never change), else the facts of its target, resolved now.
        var configByTarget = catalog.configsByTarget()
        try await resolveImages(listedImages.joined().lazy.filter { configByTarget[$0.target.digest] == nil }, api, report: &report)
        for (target, content) in resolvedFacts { configByTarget[target] = content.configDigest }
        var freshCatalog = ImageCatalog()
        var listedTargets: Set<String> = []
        for image in listedImages.joined() {
            listedTargets.insert(image.target.digest)
            if let config = configByTarget[image.target.digest] {
                freshCatalog.set(.init(namespace: image.namespace, name: image.name),
                                 .init(target: image.target.digest, config: config))
            }
        }
        configByTarget = [:]
        catalog = freshCatalog
        forgetUnlistedTargets(listedTargets: listedTargets, report: &report)
        listedTargets = []
        for config in publishedImages.keys where !catalog.contains(config) { sink.remove(.image, id: config) }
        publishedImages = try await publishImages(batches: &listedImages, api)
        imagesToRepublish = []
        // Left in hand: facts of targets that describe no image (an index beside its manifest).
        resolvedFacts = [:]
        lastSyncReport = report

        var containers: [String: Container] = [:]
        for item in listed {
            containers[item.container.id] = builder.container(item.container, namespace: item.namespace, task: item.task,
                                                           imageID: imageID(namespace: item.namespace, ref: item.container.image))
        }
        for (id, _) in publishedContainers where containers[id] == nil { sink.remove(.container, id: id) }
        for (id, container) in containers where publishedContainers[id] != container { sink.publish(.container(container)) }
        publishedContainers = containers
        syncCount += 1
        sink.log(.debug, "synchronised \(containers.count) containers and \(publishedImages.count) images from \(namespaces.count) namespaces (\(report))")
    }

    private func imageID(namespace: String, ref: String) -> String {
        catalog.config(of: .init(namespace: namespace, name: ref)) ?? ""
    }

    // MARK: events

    private func apply(_ envelope: Containerd_Services_Events_V1_Envelope, _ api: ContainerdAPI) async throws {
        let namespace = envelope.namespace
        if let wanted = settings.namespaces, !wanted.contains(namespace) { return }
        let payload = envelope.event.value
        switch envelope.topic {
        case "/containers/create", "/containers/update":
            try await refreshContainer(namespace: namespace, id: Containerd_Events_ContainerDelete(serializedBytes: payload).id, api)
        case "/containers/delete":
            forgetContainer(id: try Containerd_Events_ContainerDelete(serializedBytes: payload).id)
        case "/images/create", "/images/update":
            try await refreshImage(namespace: namespace, name: Containerd_Services_Images_V1_ImageDelete(serializedBytes: payload).name, api)
        case "/images/delete":
            forgetImageReference(.init(namespace: namespace, name: try Containerd_Services_Images_V1_ImageDelete(serializedBytes: payload).name))
        default:
            // Every task event carries the container id as field 1.
            guard envelope.topic.hasPrefix("/tasks/") else { return }
            let id = try Containerd_Events_TaskPaused(serializedBytes: payload).containerID
            if !id.isEmpty { try await refreshContainer(namespace: namespace, id: id, api) }
        }
    }

    private func refreshContainer(namespace: String, id: String, _ api: ContainerdAPI) async throws {
        guard let container = try await api.container(namespace: namespace, id: id) else {
            forgetContainer(id: id)
            return
        }
        let task = try await api.task(namespace: namespace, containerID: id)
        let record = builder.container(container, namespace: namespace, task: task,
                                    imageID: imageID(namespace: namespace, ref: container.image))
        if publishedContainers[id] != record {
            publishedContainers[id] = record
            sink.publish(.container(record))
        }
    }

    /// Services open ports after their container starts: read running containers' namespaces
    /// again and republish those whose addresses or ports changed (autodiscovery follows).
    private func refreshNetworks() {
        for (id, container) in publishedContainers where container.state == .running {
            let network = ContainerNetwork.read(pid: container.pid, procRoot: settings.procRoot)
            guard network != container.network else { continue }
            var updated = container
            updated.setNetwork(network)
            publishedContainers[id] = updated
            sink.publish(.container(updated))
        }
    }

    private func forgetContainer(id: String) {
        if publishedContainers.removeValue(forKey: id) != nil { sink.remove(.container, id: id) }
    }

    private func refreshImage(namespace: String, name: String, _ api: ContainerdAPI) async throws {
        guard let image = try await api.image(namespace: namespace, name: name) else {
            forgetImageReference(.init(namespace: namespace, name: name))
            return
        }
        let target = ListedImage.Target(digest: image.target.digest, mediaType: image.target.mediaType, size: image.target.size)
        guard let content = try await facts(of: target, name: name, namespace: namespace, api) else { return }
        // Kept until the image is published again, at the end of the event window.
        resolvedFacts[image.target.digest] = content
        let changed = catalog.set(.init(namespace: namespace, name: name),
                                  .init(target: image.target.digest, config: content.configDigest))
        imagesToRepublish.formUnion(changed)
        // Containers created from this reference before the image was known get its id now.
        for (id, container) in publishedContainers
        where container.namespace == namespace && container.imageRef == name && container.imageID != content.configDigest {
            var updated = container
            updated.imageID = content.configDigest
            publishedContainers[id] = updated
            sink.publish(.container(updated))
        }
    }

    private func forgetImageReference(_ reference: ImageCatalog.Reference) {
        if let config = catalog.remove(reference) { imagesToRepublish.insert(config) }
    }

    /// Publishes the images image events changed again, with the references containerd lists
    /// for them now (the catalog keeps no names), or withdraws those with none left. One
    /// listing per namespace selects every changed image's targets at once.
    private func republishChangedImages(_ api: ContainerdAPI) async throws {
        let configs = imagesToRepublish
        imagesToRepublish = []
        var targetsByNamespace: [String: Set<String>] = [:]
        for config in configs {
            for use in catalog.targets(of: config) { targetsByNamespace[use.namespace, default: []].insert(use.target) }
        }
        var records: [ListedImage] = []
        for (namespace, targets) in targetsByNamespace {
            let filters = targets.sorted().map { #"target.digest=="\#($0)""# }
            // Filters are alternatives; a few hundred per call keep the request small.
            for start in stride(from: 0, to: filters.count, by: 256) {
                records += try await api.images(namespace: namespace, filters: Array(filters[start ..< min(start + 256, filters.count)])).records
            }
        }
        var byConfig: [String: [ListedImage]] = [:]
        for record in records {
            if let config = catalog.config(of: .init(namespace: record.namespace, name: record.name)), configs.contains(config) {
                byConfig[config, default: []].append(record)
            }
        }
        defer { resolvedFacts = [:] }
        for config in configs {
            if catalog.contains(config) {
                if let fingerprint = try await publishImage(config, references: byConfig[config] ?? [], api) {
                    publishedImages[config] = fingerprint
                }
            } else if publishedImages.removeValue(forKey: config) != nil {
                sink.remove(.image, id: config)
            }
        }
    }
}

extension Dictionary {
    /// The entries in a table their size: a dictionary never shrinks by itself.
    func compacted() -> [Key: Value] { filter { _ in true } }
}
