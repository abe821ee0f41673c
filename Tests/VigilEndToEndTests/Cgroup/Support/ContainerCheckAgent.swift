import Foundation
import Logging
import VigilAgent
import VigilConfig
import VigilModel
import VigilModules
import VigilWorkload

/// The agent's own machinery around real containers: the module loader, a
/// temporary conf.d with the containerd collector pointed at a test containerd
/// plus the cgroup and network checks, the workload store and the tagger. A
/// test drives check runs itself and reads what each run flushed.
final class ContainerCheckAgent: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { var description: String }

    let store = WorkloadStore()
    let setup: CheckSetup
    let directory: URL

    /// `checks` maps a check name to the YAML body of its one instance.
    init(containerdSocket: String, checks: [String: String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cg-agent-\(UUID().uuidString.prefix(8))")
        var files = checks
        files["containerd"] = "containerd_socket: \(containerdSocket)"
        for (name, body) in files {
            let folder = directory.appendingPathComponent("conf.d/\(name).d")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let indented = body.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
            try "init_config:\ninstances:\n  -\n\(indented.isEmpty ? "    {}" : indented)\n"
                .write(to: folder.appendingPathComponent("conf.yaml"), atomically: true, encoding: .utf8)
        }
        let config = try AgentConfig.fromYAML("""
            modules_path: [\(ShippedModules.folder)]
            confd_path: [\(directory.path)/conf.d]
            run_path: \(directory.path)/run
            """, baseDirectory: directory.path)
        var logger = Logger(label: "vigil-e2e")
        logger.logLevel = .warning
        let tagger = Tagger(store: store, rules: TagRules(config: config))
        setup = CheckSetup(config: config, logger: logger)
        setup.instantiate(services: HostServices(config: config, logger: logger, tagProvider: tagger, workload: store))
        guard setup.errors.isEmpty else {
            try? FileManager.default.removeItem(at: directory)
            throw Failure(description: "instances not created: \(setup.errors)")
        }
        setup.startCollectors(logger: logger)
        let late = setup.waitForCollectors(timeout: 15)
        guard late.isEmpty else { throw Failure(description: "collectors not ready: \(late)") }
    }

    func stop() {
        setup.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    /// The store's view of a container, once the collector has published it running.
    func waitForRunning(_ id: String, timeout: TimeInterval = 15) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if store.entity(kind: .container, id: id)?.container?.state == .running { return true }
            usleep(20_000)
        }
        return false
    }

    /// One run of `check`; returns the series its run produced.
    func run(_ check: String) throws -> [Series] {
        guard let instance = setup.instances.first(where: { $0.checkName == check && $0.isCheck }) else {
            throw Failure(description: "no instance of \(check)")
        }
        let result = instance.run()
        if let error = result.error { throw Failure(description: "\(check) failed: \(error)") }
        return instance.context.sampler.flush(now: WallClock.now(), force: true).series
    }
}

extension Array where Element == Series {
    /// The last value of `name` among series carrying every tag in `tags`.
    func value(_ name: String, tags: [String] = []) -> Double? {
        last { $0.name == name && Set($0.tags).isSuperset(of: tags) }?.points.last?.value
    }

    func named(_ name: String, tags: [String] = []) -> [Series] {
        filter { $0.name == name && Set($0.tags).isSuperset(of: tags) }
    }
}

func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Runs blocking test code on a thread of its own. The tests wait on
/// processes and sleep; doing that on Swift's cooperative pool (one thread
/// per core, two here) would starve the containerd collector's async tasks.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
}
