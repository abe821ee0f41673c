import Foundation
import Logging
import VigilAgent
import VigilConfig
import VigilModules
import VigilWorkload

/// `vigil-bench workload [--images N] [--refs R] [--importers K] [--reads W] [--connections C]
///                       [--warm-runs M] [--socket PATH] [--keep-containerd]
///                       [--sync-only]`
///
/// Fills a private containerd (stock 16 MiB response limit) with N distinct images of R
/// references each (default 30,000 × 3), then runs the containerd module through the real
/// loader and host table into a `WorkloadStore` twice: a cold first sync (no image cache in
/// run_path: every manifest and config is read) and warm restarts (a new module instance and
/// store on the same run_path: the cache answers). For each: the time to set_ready with
/// every image complete, and the peak RSS it adds. Baseline in the same run: containerd's own
/// CLI listing the same references (`ctr images ls -q`, by team prefix: one listing of them
/// all exceeds the 16 MiB limit). `--socket` reuses a containerd already filled by an
/// earlier run's generator (namespace `bench`) instead of importing again; `--keep-containerd`
/// leaves the containerd this run filled running for such runs. `--sync-only` runs the cold
/// sync alone (no `ctr` baseline, listing or warm restart), for a heap profile of that sync.
enum WorkloadBenchmark {
    static func run(_ arguments: [String]) async throws {
        let images = option(arguments, "--images") ?? 30_000
        let references = option(arguments, "--refs") ?? 3
        let importers = max(1, option(arguments, "--importers") ?? 2)
        let warmRuns = max(1, option(arguments, "--warm-runs") ?? 2)
        var instanceOptions = ""
        if let reads = option(arguments, "--reads") { instanceOptions += "    containerd_image_reads: \(reads)\n" }
        if let connections = option(arguments, "--connections") {
            instanceOptions += "    containerd_image_read_connections: \(connections)\n"
        }
        print("workload benchmark: \(images) images × \(references) references")
        let containerd: BenchContainerd
        if let index = arguments.firstIndex(of: "--socket"), index + 1 < arguments.count {
            containerd = try BenchContainerd(existingSocket: arguments[index + 1])
            print("  setup: reusing the containerd at \(containerd.socketPath)")
        } else {
            containerd = try BenchContainerd()
            containerd.keep = arguments.contains("--keep-containerd")
            try await fill(containerd, images: images, references: references, importers: importers)
            if containerd.keep { print("  setup: containerd left running at \(containerd.socketPath)") }
        }
        defer { containerd.stop() }

        let syncOnly = arguments.contains("--sync-only")
        // Baseline: containerd's CLI listing the references.
        var started = Date()
        var listed = syncOnly ? images * references : 0
        for team in 0..<(syncOnly ? 0 : min(50, images)) {
            listed += try containerd.ctr(["images", "ls", "-q", "name~=^bench.example/team\(team)/img"])
                .split(separator: "\n").count
        }
        let baselineSeconds = Date().timeIntervalSince(started)
        guard listed == images * references else { throw BenchError("containerd lists \(listed) references, expected \(images * references)") }
        print(String(format: "  baseline `ctr images ls -q` (50 filtered listings): %.2f s for %d references", baselineSeconds, listed))

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-workload-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        let confd = work.appendingPathComponent("conf.d/containerd.d")
        try FileManager.default.createDirectory(at: confd, withIntermediateDirectories: true)
        try "init_config:\ninstances:\n  - containerd_socket: \(containerd.socketPath)\n\(instanceOptions)"
            .write(to: confd.appendingPathComponent("conf.yaml"), atomically: true, encoding: .utf8)
        let config = try AgentConfig.fromYAML("""
            confd_path: [\(work.path)/conf.d]
            run_path: \(work.path)/run
            """, baseDirectory: work.path)

        for run in 0...(syncOnly ? 0 : warmRuns) {
            let label = run == 0 ? "cold first sync (no cache)" : "warm restart \(run) (cache in run_path)"
            let result = try sync(config: config, images: images, references: references)
            let versus = syncOnly ? "" : String(format: ", %.2f× the ctr listing", result.seconds / baselineSeconds)
            print("  module \(label): " + String(format: "%.2f s (%.0f references/s)", result.seconds, Double(listed) / result.seconds)
                  + versus + String(format: "; peak RSS +%.1f MiB (%.1f MiB over %.1f MiB before)",
                                    Double(result.peakKiB - result.baseKiB) / 1024, Double(result.peakKiB) / 1024,
                                    Double(result.baseKiB) / 1024))
            if let line = result.report { print("    module says: \(line)") }
            if run == 0, !syncOnly {
                let cache = work.appendingPathComponent("run/containerd-images.db").path
                let size = (try? FileManager.default.attributesOfItem(atPath: cache)[.size] as? Int) ?? 0
                print(String(format: "    cache file: %.1f MiB", Double(size) / 1_048_576))
                // The CLI listing of the store.
                let listingBase = Memory.resetPeak()
                started = Date()
                let text = result.store.listingJSON(kind: .image).serialized()
                let listingSeconds = Date().timeIntervalSince(started)
                print(String(format: "  listingJSON(kind: .image) + serialisation: %.2f s, %d bytes; peak RSS +%d MiB",
                             listingSeconds, text.utf8.count, (Memory.peakKiB() - listingBase) / 1024))
            }
        }
    }

    struct SyncResult {
        var seconds: Double
        var baseKiB: Int
        var peakKiB: Int
        var store: WorkloadStore
        var report: String?
    }

    /// One module instance from start to its first sync, into a fresh store; stopped after.
    static func sync(config: AgentConfig, images: Int, references: Int) throws -> SyncResult {
        let store = WorkloadStore()
        let lines = LogLines()
        var logger = Logger(label: "vigil-bench") { _ in LogLinesHandler(lines: lines) }
        logger.logLevel = .info
        let setup = CheckSetup(config: config, logger: logger)
        let services = HostServices(config: config, logger: logger, tagProvider: nil, workload: store)
        setup.instantiate(services: services, only: ["containerd"])
        guard setup.errors.isEmpty else { throw BenchError("setup: \(setup.errors)") }
        defer {
            for instance in setup.instances where instance.isCollector { instance.stop() }
            setup.shutdown()
        }
        let baseRSS = Memory.resetPeak()
        let started = Date()
        setup.startCollectors(logger: logger)
        let pending = setup.waitForCollectors(timeout: 900)
        let seconds = Date().timeIntervalSince(started)
        let peak = Memory.peakKiB()
        guard pending.isEmpty else { throw BenchError("the module did not finish its first sync: \(lines.all.suffix(5))") }
        let published = store.entities(kind: .image).compactMap(\.image)
        let complete = published.filter { $0.repoTags.count + $0.repoDigests.count == references }.count
        guard published.count == images, complete == images else {
            throw BenchError("store has \(published.count) images, \(complete) with all \(references) references")
        }
        let report = lines.all.first { $0.contains("first sync:") }
        // VIGIL_BENCH_VERBOSE=1: every line the module logged, for a sync that took longer than it says.
        if ProcessInfo.processInfo.environment["VIGIL_BENCH_VERBOSE"] != nil { for line in lines.all { print("    | \(line)") } }
        return SyncResult(seconds: seconds, baseKiB: baseRSS, peakKiB: peak, store: store, report: report)
    }

    /// Writer: K archives imported in parallel (not part of the measurement).
    static func fill(_ containerd: BenchContainerd, images: Int, references: Int, importers: Int) async throws {
        let started = Date()
        let share = (images + importers - 1) / importers
        let archives = try stride(from: 0, to: images, by: share).map {
            try SyntheticImages.write(first: $0, images: min(share, images - $0), references: references,
                                      in: containerd.directory)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for archive in archives {
                group.addTask { try containerd.ctr(["images", "import", "--no-unpack", archive.path]) }
            }
            try await group.waitForAll()
        }
        for archive in archives { try? FileManager.default.removeItem(at: archive) }
        print(String(format: "  setup: %d references imported in %.1f s", images * references, Date().timeIntervalSince(started)))
    }

    private static func option(_ arguments: [String], _ name: String) -> Int? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return Int(arguments[index + 1])
    }
}

/// The module's log lines (its first-sync report), kept for the printout.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }
}

struct LogLinesHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        lines.append("[\(level)] \(message)")
    }
}

/// Resident-set figures from /proc/self/status.
enum Memory {
    /// Resets the peak (VmHWM) to the current RSS and returns that RSS in KiB.
    static func resetPeak() -> Int {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        return field("VmRSS")
    }

    static func peakKiB() -> Int { field("VmHWM") }

    private static func field(_ name: String) -> Int {
        // /proc files report a size of 0: read to the end rather than by their stated size.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/status") else { return 0 }
        defer { try? handle.close() }
        let status = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}
