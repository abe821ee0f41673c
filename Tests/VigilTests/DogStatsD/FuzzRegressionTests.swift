import Foundation
import Testing
import VigilModel
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

/// Every file in `Fuzz/regressions/` is one packet that once crashed the
/// intake or probes an edge the fuzzer is slow to reach (overflowing
/// numbers, empty fields, NUL bytes, invalid UTF-8). Each is replayed
/// through a worker's path, then flushed: nothing may crash, every message
/// must be accepted or counted, and nothing non-finite may leave the
/// aggregator. A crash found by `Fuzz/run.sh` lands in `Fuzz/artifacts/`;
/// copy it here under a name that says what it hits.
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/regressions")

    static func inputs() throws -> [(name: String, bytes: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.map { name in
            (name, Array(try Data(contentsOf: folder.appendingPathComponent(name))))
        }
    }

    /// Messages in a packet, as the worker splits them.
    static func messageCount(_ bytes: [UInt8]) -> Int {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            .filter { line in !(line.count == 1 && line.first == UInt8(ascii: "\r")) && !line.isEmpty }.count
    }

    @Test func regressionInputsAreAcceptedOrCountedAndFlushFinite() throws {
        let inputs = try Self.inputs()
        #expect(inputs.count >= 10)
        let server = try makeOfflineServer()
        let now = 1_700_000_000.0
        for input in inputs {
            let before = server.totals()
            input.bytes.withUnsafeBytes { server.ingest($0, now: now) }
            let after = server.totals()
            let handled = (after.metrics - before.metrics) + (after.events - before.events)
                + (after.serviceChecks - before.serviceChecks) + (after.parseErrors - before.parseErrors)
            #expect(handled >= Self.messageCount(input.bytes), "\(input.name): a message was neither accepted nor counted")
        }
        let batch = server.flush(now: now + 20, force: true)
        #expect(!batch.series.isEmpty && !batch.sketches.isEmpty)
        for sketch in batch.sketches {
            #expect(sketch.points.allSatisfy { $0.min.isFinite && $0.max.isFinite && $0.count > 0 },
                    "\(sketch.name) flushed a sketch without finite bounds")
        }
    }

    @Test func overflowingNumbersAreRefusedNotTrapped() throws {
        let server = try makeOfflineServer()
        let now = 1_700_000_000.0
        server.ingest("""
            a:1|g|T9999999999999999999
            b:1|g|T-9999999999999999999
            c:1|c|@4.9e-324
            d:1e308|c|@0.1
            e:2|d|@1e-300
            """, now: now)
        #expect(server.totals().parseErrors == 4)
        #expect(server.totals().metrics == 1)
        // A sample rate far below 1/UInt32.max saturates the sketch weight.
        let sketch = try #require(server.flush(now: now + 20, force: true).sketches.first)
        #expect(sketch.name == "e" && sketch.points.first?.count == Int64(UInt32.max))
    }
}
