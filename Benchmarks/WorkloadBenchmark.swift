import Foundation
import Logging
import VigilAgent
import VigilConfig
import VigilModules
import VigilWorkload

/// `vigil-bench workload [--images N] [--refs R] [--importers K]`
///
/// Fills a private containerd with N distinct images of R references each (default
/// 30,000 × 3), then times the containerd module's initial synchronisation and image
/// consolidation through the real loader and host table into a `WorkloadStore`, and
/// `listingJSON(kind: .image)`, with the peak RSS each adds. Baseline in the same run:
/// containerd's own CLI listing the same references (`ctr images ls -q`).
enum WorkloadBenchmark {
    static func run(_ arguments: [String]) async throws {
        let images = option(arguments, "--images") ?? 30_000
        let references = option(arguments, "--refs") ?? 3
        let importers = max(1, option(arguments, "--importers") ?? 2)
        print("workload benchmark: \(images) images × \(references) references")

        let containerd = try BenchContainerd()
        defer { containerd.stop() }

        // Writer: K archives imported in parallel (not part of the measurement).
        var started = Date()
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

        // Baseline: containerd's CLI listing the references, by team prefix: one listing of
        // them all exceeds ctr's 16 MiB response limit.
        started = Date()
        var listed = 0
        for team in 0..<min(50, images) {
            listed += try containerd.ctr(["images", "ls", "-q", "name~=^bench.example/team\(team)/img"])
                .split(separator: "\n").count
        }
        let baselineSeconds = Date().timeIntervalSince(started)
        guard listed == images * references else { throw BenchError("containerd lists \(listed) references, expected \(images * references)") }

        // The module's initial sync + consolidation.
        let store = WorkloadStore()
        let confd = containerd.directory.appendingPathComponent("conf.d/containerd.d")
        try FileManager.default.createDirectory(at: confd, withIntermediateDirectories: true)
        try "init_config:\ninstances:\n  - containerd_socket: \(containerd.socketPath)\n"
            .write(to: confd.appendingPathComponent("conf.yaml"), atomically: true, encoding: .utf8)
        let config = try AgentConfig.fromYAML("""
            confd_path: [\(containerd.directory.path)/conf.d]
            run_path: \(containerd.directory.path)/run
            """, baseDirectory: containerd.directory.path)
        var logger = Logger(label: "vigil-bench")
        logger.logLevel = .warning
        let setup = CheckSetup(config: config, logger: logger)
        let services = HostServices(config: config, logger: logger, tagProvider: nil, workload: store)
        setup.instantiate(services: services, only: ["containerd"])
        guard setup.errors.isEmpty else { throw BenchError("setup: \(setup.errors)") }
        defer { setup.shutdown() }

        let baseRSS = Memory.resetPeak()
        started = Date()
        setup.startCollectors(logger: logger)
        let pending = setup.waitForCollectors(timeout: 900)
        let syncSeconds = Date().timeIntervalSince(started)
        let syncPeak = Memory.peakKiB()
        guard pending.isEmpty else { throw BenchError("the module did not finish its first sync") }
        let published = store.entities(kind: .image).compactMap(\.image)
        let complete = published.filter { $0.repoTags.count + $0.repoDigests.count == references }.count
        guard published.count == images, complete == images else {
            throw BenchError("store has \(published.count) images, \(complete) with all \(references) references")
        }

        // The CLI listing of the store.
        let listingBase = Memory.resetPeak()
        started = Date()
        let listing = store.listingJSON(kind: .image)
        let text = listing.serialized()
        let listingSeconds = Date().timeIntervalSince(started)
        let listingPeak = Memory.peakKiB()

        print(String(format: "  baseline `ctr images ls -q` (50 filtered listings): %.2f s for %d references", baselineSeconds, listed))
        print(String(format: "  module initial sync + consolidation: %.2f s (%.0f references/s), %.2f× the ctr listing",
                     syncSeconds, Double(listed) / syncSeconds, syncSeconds / baselineSeconds))
        print("  module sync peak RSS: \(syncPeak / 1024) MiB (+\((syncPeak - baseRSS) / 1024) MiB over \(baseRSS / 1024) MiB before)")
        print(String(format: "  listingJSON(kind: .image) + serialisation: %.2f s, %d bytes", listingSeconds, text.utf8.count))
        print("  listing peak RSS: \(listingPeak / 1024) MiB (+\((listingPeak - listingBase) / 1024) MiB)")
    }

    private static func option(_ arguments: [String], _ name: String) -> Int? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return Int(arguments[index + 1])
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
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}
