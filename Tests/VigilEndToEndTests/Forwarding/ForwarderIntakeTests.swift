import Foundation
import Testing
import VigilConfig
import VigilForwarding
import VigilModel

/// The forwarder against a real HTTP intake: delivery formats, outages,
/// 413 splits, restarts with pending payloads, corrupt databases.
@Suite(.serialized) struct ForwarderIntakeTests {
    static let apiKey = "test-api-key-0123456789abcdef"

    final class Folder {
        let path = NSTemporaryDirectory() + "vigil-fwd-e2e-" + UUID().uuidString
        init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    static func forwarder(_ folder: Folder, port: Int, extra: String = "") throws -> Forwarder {
        let config = try AgentConfig.fromYAML("""
            run_path: \(folder.path)
            dd_url: http://127.0.0.1:\(port)
            forwarder_backoff_base: 0.05
            forwarder_backoff_max: 0.3
            forwarder_timeout: 2
            forwarder_stop_timeout: 1
            \(extra)
            """, baseDirectory: folder.path, environment: ["VIGIL_API_KEY": apiKey])
        return try Forwarder(config: config, hostname: "test-host")
    }

    static func batch(_ index: Int, series count: Int = 5) -> FlushBatch {
        FlushBatch(series: (0..<count).map { i in
            Series(name: "e2e.metric", type: .gauge, points: [Point(timestamp: 1_700_000_000 + Int64(index), value: Double(i))],
                   tags: ["batch:\(index)", "series:\(i)"], host: "node-a", interval: 10)
        })
    }

    static func expectedPoints(batches: Range<Int>, series count: Int = 5) -> Set<String> {
        Set(batches.flatMap { b in (0..<count).map { "\(b)/\($0)" } })
    }

    static func keys(_ points: [RecordingIntake.SeriesPoint]) -> [String] {
        points.map { point in
            let batch = point.tags.first { $0.hasPrefix("batch:") }?.dropFirst(6) ?? "?"
            return "\(batch)/\(Int(point.value))"
        }
    }

    static func eventually(_ seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    static func endpointStatus(_ forwarder: Forwarder, _ endpoint: String, _ key: String) -> Int64? {
        guard case let .int(v)? = forwarder.statusSnapshot()["destinations"]?["datadog"]?["lanes"]?[endpoint]?[key] else { return nil }
        return v
    }

    @Test func deliversEveryKindInTheDocumentedFormats() async throws {
        let folder = Folder()
        let intake = RecordingIntake(apiKey: Self.apiKey)
        let port = try intake.start()
        defer { intake.stop() }
        let forwarder = try Self.forwarder(folder, port: port)
        forwarder.start()
        forwarder.consume(FlushBatch(
            series: [Series(name: "cpu", type: .rate, points: [Point(timestamp: 100, value: 0.5)], tags: ["a:b"], host: "h", interval: 10)],
            sketches: [SketchSeries(name: "lat", tags: ["svc:x"], host: "h", interval: 10,
                                    points: [SketchPoint(timestamp: 100, count: 3, min: 1, max: 5, sum: 9, average: 3,
                                                         keys: [-2, 7], binCounts: [1, 2])])],
            serviceChecks: [ServiceCheck(name: "vigil.ok", status: .warning, tags: ["c:d"], host: "h", timestamp: 100, message: "hm")],
            events: [Event(title: "started", text: "hello", timestamp: 100, host: "h", tags: ["e:f"], alertType: .success)]))
        #expect(await Self.eventually { let r = intake.recorded; return r.series.count == 1 && r.sketches.count == 1 && r.checks.count == 1 && r.events.count == 1 })
        await forwarder.stop()
        let recorded = intake.recorded
        #expect(recorded.decodeErrors.isEmpty)
        #expect(recorded.series == [.init(metric: "cpu", tags: ["a:b"], host: "h", timestamp: 100, value: 0.5, type: 2)])
        #expect(recorded.sketches == [.init(metric: "lat", host: "h", tags: ["svc:x"], timestamp: 100, count: 3, min: 1, max: 5,
                                            avg: 3, sum: 9, keys: [-2, 7], counts: [1, 2])])
        #expect(recorded.checks.first?["check"] == "vigil.ok")
        #expect(recorded.checks.first?["status"] == "1")
        #expect(recorded.events.first?["title"] == "started")
        #expect(recorded.events.first?["alert_type"] == "success")
        let byPath = Dictionary(recorded.requests.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byPath["/api/v2/series"]?.contentEncoding == "zstd1")
        #expect(byPath["/api/v2/series"]?.contentType == "application/json")
        #expect(byPath["/api/beta/sketches"]?.contentType == "application/x-protobuf")
        #expect(byPath["/api/v1/check_run"]?.contentEncoding == "deflate")
        #expect(byPath["/api/v1/events"]?.contentEncoding == "deflate")
        #expect(Self.endpointStatus(forwarder, "series", "sent_payloads") == 1)
        #expect(Self.endpointStatus(forwarder, "series", "outbox_payloads") == 0)
        // The key is a secret: never in status.
        #expect(!forwarder.statusSnapshot().serialized().contains(Self.apiKey))
    }

    @Test func everyPointArrivesAfterAnOutage() async throws {
        let folder = Folder()
        let intake = RecordingIntake(apiKey: Self.apiKey) { _, _, _ in 503 }
        let port = try intake.start()
        defer { intake.stop() }
        let forwarder = try Self.forwarder(folder, port: port)
        forwarder.start()
        for index in 0..<6 {
            forwarder.consume(Self.batch(index))
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await Self.eventually { (Self.endpointStatus(forwarder, "series", "retried") ?? 0) >= 2 })
        #expect(intake.recorded.series.isEmpty)
        // The intake comes back; a few more flushes arrive meanwhile.
        intake.respond { _, _, _ in 202 }
        for index in 6..<9 { forwarder.consume(Self.batch(index)) }
        let expected = Self.expectedPoints(batches: 0..<9)
        #expect(await Self.eventually { Set(Self.keys(intake.recorded.series)) == expected })
        await forwarder.stop()
        let received = Self.keys(intake.recorded.series)
        #expect(Set(received) == expected)
        // Acknowledged payloads are removed at once and only one request is
        // in flight, so with clean 503/202 answers nothing comes twice.
        #expect(received.count == expected.count)
        #expect(Self.endpointStatus(forwarder, "series", "dropped") == 0)
    }

    @Test func aTooLargeAnswerSplitsAndDelivers() async throws {
        let folder = Folder()
        let intake = RecordingIntake(apiKey: Self.apiKey) { _, _, items in items > 4 ? 413 : 202 }
        let port = try intake.start()
        defer { intake.stop() }
        let forwarder = try Self.forwarder(folder, port: port)
        forwarder.start()
        forwarder.consume(Self.batch(0, series: 37))
        let expected = Self.expectedPoints(batches: 0..<1, series: 37)
        #expect(await Self.eventually { Set(Self.keys(intake.recorded.series)) == expected })
        await forwarder.stop()
        #expect(Self.keys(intake.recorded.series).count == 37)
        #expect((Self.endpointStatus(forwarder, "series", "splits") ?? 0) >= 3)
        #expect(intake.recorded.requests.contains { $0.status == 413 })
        #expect(Self.endpointStatus(forwarder, "series", "dropped") == 0)
    }

    @Test func pendingPayloadsSurviveARestart() async throws {
        let folder = Folder()
        let port = try RecordingIntake.freePort()
        do {
            // Nothing listens: every send fails and the payloads stay stored.
            let first = try Self.forwarder(folder, port: port)
            first.start()
            for index in 0..<4 { first.consume(Self.batch(index)) }
            await first.stop()
            #expect(Self.endpointStatus(first, "series", "outbox_payloads") == 4)
        }
        let intake = RecordingIntake(apiKey: Self.apiKey)
        try intake.start(port: port)
        defer { intake.stop() }
        let second = try Self.forwarder(folder, port: port)
        second.start()
        let expected = Self.expectedPoints(batches: 0..<4)
        #expect(await Self.eventually { Set(Self.keys(intake.recorded.series)) == expected })
        await second.stop()
        #expect(Self.endpointStatus(second, "series", "outbox_payloads") == 0)
    }

    @Test func aCorruptDatabaseIsReplacedAndForwardingGoesOn() async throws {
        let folder = Folder()
        try Data(repeating: 0x5A, count: 4096).write(to: URL(fileURLWithPath: folder.path + "/vigil.db"))
        let intake = RecordingIntake(apiKey: Self.apiKey)
        let port = try intake.start()
        defer { intake.stop() }
        let forwarder = try Self.forwarder(folder, port: port)
        forwarder.start()
        forwarder.consume(Self.batch(0))
        #expect(await Self.eventually { intake.recorded.series.count == 5 })
        await forwarder.stop()
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.contains { $0.hasPrefix("vigil.db.corrupt-") })
    }

    @Test func aFullOutboxDropsTheOldestAndCountsThem() async throws {
        let folder = Folder()
        let port = try RecordingIntake.freePort()
        // Each one-batch payload is a few hundred bytes: room for about two.
        let forwarder = try Self.forwarder(folder, port: port, extra: "forwarder_storage_max_size: 400")
        forwarder.start()
        for index in 0..<10 { forwarder.consume(Self.batch(index)) }
        await forwarder.stop()
        let dropped = Self.endpointStatus(forwarder, "series", "dropped_outbox_full") ?? 0
        let kept = Self.endpointStatus(forwarder, "series", "outbox_payloads") ?? 0
        #expect(dropped > 0)
        #expect(dropped + kept == 10)

        let intake = RecordingIntake(apiKey: Self.apiKey)
        try intake.start(port: port)
        defer { intake.stop() }
        let again = try Self.forwarder(folder, port: port, extra: "forwarder_storage_max_size: 400")
        again.start()
        let newest = Self.expectedPoints(batches: (10 - Int(kept))..<10)
        #expect(await Self.eventually { Set(Self.keys(intake.recorded.series)) == newest })
        await again.stop()
    }

    @Test func refusedPayloadsAreDroppedAndCountedNotRetried() async throws {
        let folder = Folder()
        let intake = RecordingIntake(apiKey: "a-different-key")
        let port = try intake.start()
        defer { intake.stop() }
        let forwarder = try Self.forwarder(folder, port: port)
        forwarder.start()
        forwarder.consume(Self.batch(0))
        #expect(await Self.eventually { Self.endpointStatus(forwarder, "series", "dropped_rejected") == 1 })
        await forwarder.stop()
        #expect(Self.endpointStatus(forwarder, "series", "retried") == 0)
        #expect(Self.endpointStatus(forwarder, "series", "outbox_payloads") == 0)
        #expect(!forwarder.statusSnapshot().serialized().contains(Self.apiKey))
        // The operator is told what to check, not only that it failed.
        #expect(forwarder.statusSnapshot().serialized().contains("HTTP 403: payload dropped (the API key was refused"))
    }

    @Test func anIntakeRefusingZstdGetsDeflate() async throws {
        let folder = Folder()
        let intake = RecordingIntake(apiKey: Self.apiKey) { _, encoding, _ in encoding == "deflate" ? 202 : 415 }
        let port = try intake.start()
        defer { intake.stop() }
        let forwarder = try Self.forwarder(folder, port: port)
        forwarder.start()
        forwarder.consume(Self.batch(0))
        #expect(await Self.eventually { intake.recorded.series.count == 5 })
        forwarder.consume(Self.batch(1))
        #expect(await Self.eventually { intake.recorded.series.count == 10 })
        await forwarder.stop()
        // One refusal, then deflate for the retried payload and new ones.
        #expect(intake.recorded.requests.filter { $0.status == 415 }.count == 1)
        #expect(Self.endpointStatus(forwarder, "series", "dropped") == 0)
    }
}
