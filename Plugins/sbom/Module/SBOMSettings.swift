import SBOMScanner
import VigilSwiftModuleKit

/// The module's settings: conf.d/sbom.d/conf.yaml's instance, else vigil.yaml.
struct SBOMSettings: Sendable {
    var containerImages = true
    var host = true
    var socketPath = "/run/containerd/containerd.sock"
    /// The source whose image entities are scanned.
    var imageSource = "containerd"
    var hostRoot = "/"
    var hostExcluded: Set<String> = FolderScanner.defaultExcluded.union(["var/lib/containerd", "run/containerd", "tmp"])
    var hostScanInterval: Duration = .seconds(3600)
    var baseBackoff = 300.0
    var maxBackoff = 3600.0
    var workers = 1
    var scanTimeout: Duration = .seconds(600)
    var queueCapacity = 10_000
    var procRoot = "/proc"
    var databasePath: String?

    static func load(_ options: ModuleOptions) throws -> SBOMSettings {
        var settings = SBOMSettings()
        if let enabled = try options.bool("container_image.enabled") { settings.containerImages = enabled }
        if let enabled = try options.bool("host.enabled") { settings.host = enabled }
        if let socket = options.string("containerd_socket") { settings.socketPath = socket }
        if let source = options.string("image_source") { settings.imageSource = source }
        if let root = options.string("host.root") { settings.hostRoot = root }
        if let excluded = try options.stringList("host.exclude") {
            settings.hostExcluded.formUnion(excluded.map { $0.split(separator: "/").joined(separator: "/") })
        }
        if let interval = try options.seconds("host_scan_interval", minimum: 1) { settings.hostScanInterval = interval }
        if let backoff = try options.seconds("scan_queue.base_backoff", minimum: 0.1) { settings.baseBackoff = backoff.seconds }
        if let backoff = try options.seconds("scan_queue.max_backoff", minimum: 0.1) { settings.maxBackoff = backoff.seconds }
        guard settings.maxBackoff >= settings.baseBackoff else {
            throw ModuleOptions.Invalid("scan_queue.max_backoff (\(settings.maxBackoff) s) must be at least scan_queue.base_backoff (\(settings.baseBackoff) s)")
        }
        if let capacity = try options.integer("scan_queue.max_size", minimum: 1) { settings.queueCapacity = capacity }
        if let workers = try options.integer("scan_workers", minimum: 1) { settings.workers = workers }
        if let timeout = try options.seconds("scan_timeout", minimum: 1) { settings.scanTimeout = timeout }
        if let procRoot = options.string("proc_root") { settings.procRoot = procRoot }
        if let runPath = options.string("run_path") { settings.databasePath = runPath + "/sbom.db" }
        return settings
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
