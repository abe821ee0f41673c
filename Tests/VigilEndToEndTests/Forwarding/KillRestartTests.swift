import Foundation
import Testing
import VigilForwarding

/// The real `vigil run` binary, killed with SIGKILL while the intake is
/// down and payloads wait in its outbox, then restarted with the intake up:
/// everything that was pending arrives.
@Suite(.serialized) struct KillRestartTests {
    static let apiKey = "kill-test-key-fedcba9876543210"

    static var productsDirectory: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    static func seriesPoints(_ payloads: [Payload]) throws -> [RecordingIntake.SeriesPoint] {
        try payloads.filter { $0.lane == IntakeEndpoint.series.lane }.flatMap {
            try Decoded(path: IntakeEndpoint.series.path, body: try $0.encoding.decompress($0.body)).series
        }
    }

    @Test func payloadsPendingAtKillNineArriveAfterRestart() async throws {
        let vigil = Self.productsDirectory + "/vigil"
        try #require(FileManager.default.isExecutableFile(atPath: vigil), "build vigil first: \(vigil)")
        try #require(FileManager.default.fileExists(atPath: Self.productsDirectory + "/libvigil-example.so"))
        let folder = NSTemporaryDirectory() + "vigil-kill-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/conf.d/example.d", withIntermediateDirectories: true)
        try "instances:\n  - value: 42\n    min_collection_interval: 1\n"
            .write(toFile: folder + "/conf.d/example.d/conf.yaml", atomically: true, encoding: .utf8)
        let port = try RecordingIntake.freePort()
        let configFile = folder + "/vigil.yaml"
        try """
            hostname: kill-test
            modules_path: [\(ShippedModules.folder)]
            confd_path: conf.d
            run_path: run
            flush_interval: 1
            cmd_address: 127.0.0.1:0
            dd_url: http://127.0.0.1:\(port)
            forwarder_backoff_base: 0.2
            forwarder_backoff_max: 1
            forwarder_timeout: 2
            """.write(toFile: configFile, atomically: true, encoding: .utf8)
        let database = folder + "/run/vigil.db"
        var environment = ProcessInfo.processInfo.environment
        environment["VIGIL_API_KEY"] = Self.apiKey

        // 1. Intake down: flushes pile up in the outbox; then SIGKILL.
        let first = try Subprocess.spawn(vigil, ["run", "-c", configFile], stdoutPath: folder + "/run1.out",
                                         stderrPath: folder + "/run1.err", environment: environment)
        var killed = false
        defer { if !killed { Subprocess.killAndReap(pid: first) } }
        let piledUp = Subprocess.poll(timeout: 20, interval: 0.2) {
            ((try? OutboxInspection.pendingPayloads(databasePath: database)) ?? []).filter { $0.lane == IntakeEndpoint.series.lane }.count >= 2
        }
        let log1 = (try? String(contentsOfFile: folder + "/run1.err", encoding: .utf8)) ?? ""
        try #require(piledUp, "no series payloads stored; agent log:\n\(log1.suffix(3000))")
        Subprocess.killAndReap(pid: first)
        killed = true
        let pending = try Self.seriesPoints(try OutboxInspection.pendingPayloads(databasePath: database))
        #expect(pending.contains { $0.metric == "example.value" && $0.value == 42 })
        #expect(!log1.contains(Self.apiKey))

        // 2. Intake up, agent restarted: every pending point is delivered.
        let intake = RecordingIntake(apiKey: Self.apiKey)
        try intake.start(port: port)
        defer { intake.stop() }
        let second = try Subprocess.spawn(vigil, ["run", "-c", configFile], stdoutPath: folder + "/run2.out",
                                          stderrPath: folder + "/run2.err", environment: environment)
        defer { Subprocess.terminate(pid: second) }
        let wanted = Set(pending)
        let delivered = Subprocess.poll(timeout: 20, interval: 0.1) { wanted.isSubset(of: Set(intake.recorded.series)) }
        #expect(delivered, "missing: \(wanted.subtracting(Set(intake.recorded.series)).count) of \(wanted.count)")
        #expect(intake.recorded.decodeErrors.isEmpty)

        // 3. SIGTERM flushes and stores; what was acknowledged left the outbox.
        Subprocess.terminate(pid: second)
        let left = try Self.seriesPoints(try OutboxInspection.pendingPayloads(databasePath: database))
        #expect(Set(left).isDisjoint(with: wanted))
        let log2 = (try? String(contentsOfFile: folder + "/run2.err", encoding: .utf8)) ?? ""
        #expect(!log2.contains(Self.apiKey))
    }
}
