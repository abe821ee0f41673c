import Foundation
import Testing
import VigilModel
@testable import VigilForwarding

@Suite struct EncoderTests {
    func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func seriesFollowTheV2Schema() throws {
        let series = Series(name: "container.cpu.usage", type: .rate, points: [Point(timestamp: 1_700_000_000, value: 0.25),
                                                                                Point(timestamp: 1_700_000_010, value: 3)],
                            tags: ["container_name:web", "env:prod \"quoted\"\n"], host: "node-1", interval: 10,
                            sourceTypeName: "vigil")
        let (items, skipped) = SeriesEncoder.items([series])
        #expect(skipped == 0)
        let body = IntakeEndpoint.series.framing.join(items)
        let root = try object(body)
        let entry = try #require((root["series"] as? [[String: Any]])?.first)
        #expect(entry["metric"] as? String == "container.cpu.usage")
        #expect(entry["type"] as? Int == 2)
        #expect(entry["interval"] as? Int == 10)
        #expect(entry["tags"] as? [String] == ["container_name:web", "env:prod \"quoted\"\n"])
        let resources = try #require(entry["resources"] as? [[String: String]])
        #expect(resources == [["name": "node-1", "type": "host"]])
        let points = try #require(entry["points"] as? [[String: Any]])
        #expect(points.count == 2)
        #expect(points[0]["timestamp"] as? Int == 1_700_000_000)
        #expect(points[0]["value"] as? Double == 0.25)
        #expect(points[1]["value"] as? Double == 3)
        #expect(entry["source_type_name"] as? String == "vigil")
    }

    @Test func nonFinitePointsAreSkippedAndCounted() throws {
        let series = [Series(name: "a", type: .gauge, points: [Point(timestamp: 1, value: .nan), Point(timestamp: 2, value: 1)],
                             tags: [], host: ""),
                      Series(name: "b", type: .gauge, points: [Point(timestamp: 1, value: .infinity)], tags: [], host: "")]
        let (items, skipped) = SeriesEncoder.items(series)
        #expect(skipped == 2)
        #expect(items.count == 1)
        let entry = try #require((try object(IntakeEndpoint.series.framing.join(items))["series"] as? [[String: Any]])?.first)
        #expect(entry["resources"] == nil)
        #expect((entry["points"] as? [Any])?.count == 1)
    }

    @Test func serviceChecksFollowTheCheckRunSchema() throws {
        let check = ServiceCheck(name: "vigil.up", status: .critical, tags: ["a:b"], host: "h", timestamp: 42, message: "down")
        let body = IntakeEndpoint.serviceChecks.framing.join(ServiceCheckEncoder.items([check, check]))
        let list = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
        #expect(list.count == 2)
        #expect(list[0]["check"] as? String == "vigil.up")
        #expect(list[0]["host_name"] as? String == "h")
        #expect(list[0]["status"] as? Int == 2)
        #expect(list[0]["timestamp"] as? Int == 42)
        #expect(list[0]["message"] as? String == "down")
    }

    @Test func eventsFollowTheV1EventsSchema() throws {
        let event = Event(title: "deploy", text: "v2 out", timestamp: 99, host: "h", tags: ["x"], priority: .low,
                          alertType: .warning, aggregationKey: "k", sourceTypeName: "vigil")
        let items = EventEncoder.items([event])
        #expect(IntakeEndpoint.events.framing.maxItems == 1)
        let entry = try object(IntakeEndpoint.events.framing.join(items))
        #expect(entry["title"] as? String == "deploy")
        #expect(entry["text"] as? String == "v2 out")
        #expect(entry["date_happened"] as? Int == 99)
        #expect(entry["priority"] as? String == "low")
        #expect(entry["alert_type"] as? String == "warning")
        #expect(entry["aggregation_key"] as? String == "k")
    }

    @Test func sketchesFollowTheAgentPayloadProto() throws {
        let point = SketchPoint(timestamp: 1_700_000_000, count: 5, min: -1.5, max: 9, sum: 20, average: 4,
                                keys: [-3, 0, 1200], binCounts: [1, 3, 1])
        let sketch = SketchSeries(name: "req.latency", tags: ["svc:a", "env:b"], host: "h1", interval: 10, points: [point])
        let body = IntakeEndpoint.sketches.framing.join(SketchEncoder.items([sketch, sketch]))
        // SketchPayload: repeated Sketch sketches = 1.
        var payload = ProtobufReader(body)
        var sketches: [[UInt8]] = []
        while let (field, value) = payload.next() {
            #expect(field == 1)
            if case let .bytes(bytes) = value { sketches.append(bytes) }
        }
        #expect(sketches.count == 2)
        var reader = ProtobufReader(sketches[0])
        var metric = "", host = "", tags: [String] = [], dogsketches: [[UInt8]] = []
        while let (field, value) = reader.next() {
            guard case let .bytes(bytes) = value else { Issue.record("field \(field) is not length-delimited"); continue }
            switch field {
            case 1: metric = String(decoding: bytes, as: UTF8.self)
            case 2: host = String(decoding: bytes, as: UTF8.self)
            case 4: tags.append(String(decoding: bytes, as: UTF8.self))
            case 7: dogsketches.append(bytes)
            default: Issue.record("unexpected field \(field)")
            }
        }
        #expect(metric == "req.latency")
        #expect(host == "h1")
        #expect(tags == ["svc:a", "env:b"])
        #expect(dogsketches.count == 1)
        var dog = ProtobufReader(dogsketches[0])
        var ints: [Int: Int64] = [:], doubles: [Int: Double] = [:], keys: [Int32] = [], counts: [UInt32] = []
        while let (field, value) = dog.next() {
            switch value {
            case let .varint(v): ints[field] = Int64(bitPattern: v)
            case let .fixed64(v): doubles[field] = Double(bitPattern: v)
            case let .bytes(b) where field == 7:
                keys = ProtobufReader.packedVarints(b).map { v in Int32(truncatingIfNeeded: Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)) }
            case let .bytes(b) where field == 8: counts = ProtobufReader.packedVarints(b).map { UInt32($0) }
            default: Issue.record("unexpected field \(field)")
            }
        }
        #expect(ints[1] == 1_700_000_000)
        #expect(ints[2] == 5)
        #expect(doubles[3] == -1.5)
        #expect(doubles[4] == 9)
        #expect(doubles[5] == 4)
        #expect(doubles[6] == 20)
        #expect(keys == [-3, 0, 1200])
        #expect(counts == [1, 3, 1])
    }
}
