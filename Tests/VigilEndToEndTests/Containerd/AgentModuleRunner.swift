import Foundation
import Logging
import Synchronization
import VigilAgent
import VigilConfig
import VigilModules
import VigilWorkload

/// Runs the containerd module the way the agent does — the module loader, a conf.d
/// instance, the host table — publishing into a `WorkloadStore` the test can inspect.
final class AgentModuleRunner: @unchecked Sendable {
    let store = WorkloadStore()
    let setup: CheckSetup
    let directory: URL
    private let captured: LogCapture
    private var stopped = false
    /// A directory the caller passed is the caller's: kept at stop, for a restart on the same run_path.
    private let ownsDirectory: Bool

    struct RunnerError: Error, CustomStringConvertible { var description: String }

    static var productsDirectory: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    /// `instance` is the YAML mapping of one conf.d instance, e.g. `containerd_socket: /x.sock`.
    /// `directory` (conf.d and run_path) defaults to a new one removed at stop; `beforeStart`
    /// sees the store before the module does (to subscribe to everything it publishes).
    /// `otherChecks` adds instances of other modules (check name → instance YAML), e.g. sbom.
    init(instance: String, directory: URL? = nil, otherChecks: [String: String] = [:],
         beforeStart: (WorkloadStore) -> Void = { _ in }) throws {
        ownsDirectory = directory == nil
        self.directory = directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("vigil-ctd-agent-\(UUID().uuidString.prefix(8))")
        for (check, yaml) in [("containerd", instance)] + otherChecks.sorted(by: { $0.key < $1.key }) {
            let folder = self.directory.appendingPathComponent("conf.d/\(check).d")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let indented = yaml.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
            try "init_config:\ninstances:\n  -\n\(indented)\n".write(to: folder.appendingPathComponent("conf.yaml"),
                                                                     atomically: true, encoding: .utf8)
        }
        let config = try AgentConfig.fromYAML("""
            modules_path: [\(ShippedModules.folder)]
            confd_path: [\(self.directory.path)/conf.d]
            run_path: \(self.directory.path)/run
            log_level: debug
            """, baseDirectory: self.directory.path)
        let capture = LogCapture()
        captured = capture
        var logger = Logger(label: "vigil-test") { _ in CapturingLogHandler(capture: capture) }
        logger.logLevel = .debug
        setup = CheckSetup(config: config, logger: logger)
        setup.instantiate(services: HostServices(config: config, logger: logger, tagProvider: nil, workload: store),
                          only: Set(["containerd"] + otherChecks.keys))
        guard setup.errors.isEmpty, setup.instances.contains(where: { $0.checkName == "containerd" }) else {
            if ownsDirectory { try? FileManager.default.removeItem(at: self.directory) }
            throw RunnerError(description: "containerd instance not created: \(setup.errors) \(capture.lines)")
        }
        beforeStart(store)
        setup.startCollectors(logger: logger)
    }

    var isReady: Bool { setup.waitForCollectors(timeout: 0).isEmpty }
    var logs: [String] { captured.lines }

    func stop() {
        guard !stopped else { return }
        stopped = true
        for instance in setup.instances where instance.isCollector { instance.stop() }
        setup.shutdown()
        if ownsDirectory { try? FileManager.default.removeItem(at: directory) }
    }

    deinit { stop() }

    /// Polls `condition` until it holds (true) or `timeout` seconds pass (false).
    func wait(timeout: TimeInterval = 15, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { return false }
            usleep(20_000)
        }
        return true
    }
}

final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])
    var lines: [String] { storage.withLock { $0 } }
    func append(_ line: String) { storage.withLock { $0.append(line) } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        capture.append("[\(level)] \(message)")
    }
}
