import Foundation
import Logging
import Testing
@testable import VigilForwarding

@Suite struct OutboxTests {
    static let lanes = IntakeEndpoint.allCases.map(\.lane)

    func payload(_ endpoint: IntakeEndpoint, size: Int, tag: UInt8 = 0) -> Payload {
        Payload(lane: endpoint.lane, encoding: .zstd, body: [UInt8](repeating: tag, count: size), itemCount: 1)
    }

    @Test func keepsOrderAndRemovesOnAck() throws {
        let dir = try TemporaryDirectory()
        let outbox = Outbox(database: try VigilDatabase.open(path: dir.path + "/vigil.db", logger: Logger(label: "test")), lanes: Self.lanes, maxBytes: 1 << 20)
        _ = try outbox.append([payload(.series, size: 10, tag: 1), payload(.series, size: 10, tag: 2), payload(.events, size: 5)])
        let first = try #require(try outbox.oldest("series", limit: 10).first)
        #expect(first.payload.body.first == 1)
        try outbox.remove(first.id)
        #expect(try outbox.oldest("series", limit: 10).map { $0.payload.body.first } == [2])
        #expect(outbox.size()["events"]?.payloads == 1)
        #expect(outbox.size()["series"]?.bytes == 10)
    }

    @Test func boundEvictsOldestFirstAndCountsPerEndpoint() throws {
        let dir = try TemporaryDirectory()
        let outbox = Outbox(database: try VigilDatabase.open(path: dir.path + "/vigil.db", logger: Logger(label: "test")), lanes: Self.lanes, maxBytes: 100)
        #expect(try outbox.append([payload(.events, size: 40), payload(.series, size: 40, tag: 1)]).isEmpty)
        let evicted = try outbox.append([payload(.series, size: 40, tag: 2)])
        #expect(evicted == ["events": 1])
        #expect(try outbox.oldest("series", limit: 10).map { $0.payload.body.first } == [1, 2])
        // Larger than the whole bound: refused and counted, nothing else evicted.
        #expect(try outbox.append([payload(.sketches, size: 101)]) == ["sketches": 1])
        #expect(outbox.size()["series"]?.payloads == 2)
    }

    @Test func replaceKeepsTheQueuePosition() throws {
        let dir = try TemporaryDirectory()
        let outbox = Outbox(database: try VigilDatabase.open(path: dir.path + "/vigil.db", logger: Logger(label: "test")), lanes: Self.lanes, maxBytes: 1 << 20)
        _ = try outbox.append([payload(.series, size: 10, tag: 1), payload(.series, size: 10, tag: 2)])
        let first = try #require(try outbox.oldest("series", limit: 1).first)
        try outbox.replace(first.id, with: [payload(.series, size: 3, tag: 7), payload(.series, size: 3, tag: 8)])
        #expect(try outbox.oldest("series", limit: 10).map { $0.payload.body.first } == [7, 2, 8])
    }

    @Test func survivesReopening() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/vigil.db"
        do {
            let outbox = Outbox(database: try VigilDatabase.open(path: path, logger: Logger(label: "test")), lanes: Self.lanes, maxBytes: 1 << 20)
            _ = try outbox.append([payload(.series, size: 10, tag: 9)])
        }
        let reopened = Outbox(database: try VigilDatabase.open(path: path, logger: Logger(label: "test")), lanes: Self.lanes, maxBytes: 1 << 20)
        #expect(try reopened.oldest("series", limit: 10).map { $0.payload.body } == [[UInt8](repeating: 9, count: 10)])
    }

    @Test func aCorruptFileIsMovedAsideAndReplaced() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/vigil.db"
        try Data(repeating: 0xAB, count: 8192).write(to: URL(fileURLWithPath: path))
        let outbox = Outbox(database: try VigilDatabase.open(path: path, logger: Logger(label: "test")), lanes: Self.lanes, maxBytes: 1 << 20)
        _ = try outbox.append([payload(.series, size: 4)])
        #expect(outbox.size()["series"]?.payloads == 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files.contains { $0.hasPrefix("vigil.db.corrupt-") })
    }
}
