import Foundation
import Testing
import VigilModel
@testable import VigilForwarding

@Suite struct PayloadBuilderTests {
    static func series(_ count: Int, tagsEach: Int = 4) -> [Series] {
        (0..<count).map { i in
            Series(name: "bench.metric.\(i % 50)", type: .gauge, points: [Point(timestamp: 1_700_000_000, value: Double(i))],
                   tags: (0..<tagsEach).map { "tag\($0):value-\(i)-\($0)" }, host: "host-\(i % 7)")
        }
    }

    func metricsIn(_ payloads: [Payload]) throws -> [Double] {
        try payloads.flatMap { payload -> [Double] in
            let raw = try payload.encoding.decompress(payload.body)
            let root = try #require(try JSONSerialization.jsonObject(with: Data(raw)) as? [String: Any])
            let series = try #require(root["series"] as? [[String: Any]])
            #expect(series.count == payload.itemCount)
            return series.compactMap { (($0["points"] as? [[String: Any]])?.first?["value"] as? NSNumber)?.doubleValue }
        }
    }

    @Test func respectsBothLimitsAndKeepsEveryItem() throws {
        let limits = PayloadLimits(maxCompressed: 8_000, maxUncompressed: 40_000)
        let items = SeriesEncoder.items(Self.series(3000)).items
        let result = try IntakeEndpoint.series.builder(limits: limits).build(items, encoding: .zstd)
        #expect(result.oversizedItems == 0)
        #expect(result.payloads.count > 5)
        for payload in result.payloads {
            #expect(payload.body.count <= limits.maxCompressed)
            #expect(try payload.encoding.decompress(payload.body).count <= limits.maxUncompressed)
        }
        #expect(try metricsIn(result.payloads) == (0..<3000).map(Double.init))
    }

    @Test func anItemLargerThanALimitIsDroppedAndCounted() throws {
        let limits = PayloadLimits(maxCompressed: 512_000, maxUncompressed: 2_000)
        let big = Series(name: "big", type: .gauge, points: [Point(timestamp: 1, value: 1)],
                         tags: (0..<400).map { "tag-\($0)" }, host: "")
        let items = SeriesEncoder.items([big] + Self.series(3)).items
        let result = try IntakeEndpoint.series.builder(limits: limits).build(items, encoding: .deflate)
        #expect(result.oversizedItems == 1)
        #expect(try metricsIn(result.payloads) == [0, 1, 2])
    }

    @Test func eventsGoOnePerPayload() throws {
        let events = (0..<3).map { Event(title: "e\($0)", text: "", timestamp: 1, host: "", tags: []) }
        let result = try IntakeEndpoint.events.builder(limits: PayloadLimits()).build(EventEncoder.items(events), encoding: .deflate)
        #expect(result.payloads.count == 3)
        #expect(result.payloads.allSatisfy { $0.itemCount == 1 })
    }

    @Test(arguments: [IntakeEndpoint.series, .sketches, .serviceChecks])
    func splitHalvesKeepEveryItem(_ endpoint: IntakeEndpoint) throws {
        let items: [[UInt8]]
        switch endpoint {
        case .series: items = SeriesEncoder.items(Self.series(11)).items
        case .sketches:
            items = SketchEncoder.items((0..<11).map {
                SketchSeries(name: "s\($0)", tags: ["a,b:c"], host: "h", interval: 10,
                             points: [SketchPoint(timestamp: 1, count: 1, min: 1, max: 1, sum: 1, average: 1, keys: [3], binCounts: [1])])
            })
        default: items = ServiceCheckEncoder.items((0..<11).map {
            ServiceCheck(name: "c\($0)", status: .ok, tags: ["x:[1,2]"], host: "h", timestamp: 1, message: "a, \"b\" [c]")
        })
        }
        let builder = endpoint.builder(limits: PayloadLimits())
        let whole = try #require(try builder.build(items, encoding: .zstd).payloads.first)
        #expect(whole.itemCount == 11)
        let halves = try #require(try builder.split(whole))
        #expect(halves.map(\.itemCount) == [5, 6])
        let rejoined = try halves.flatMap { try endpoint.framing.items(of: try $0.encoding.decompress($0.body)) ?? [] }
        #expect(rejoined == items)
    }

    @Test func aSingleItemCannotBeSplit() throws {
        let builder = IntakeEndpoint.series.builder(limits: PayloadLimits())
        let one = try #require(try builder.build(SeriesEncoder.items(Self.series(1)).items, encoding: .zstd).payloads.first)
        #expect(try builder.split(one) == nil)
    }

    @Test func recodeChangesOnlyTheCompression() throws {
        let builder = IntakeEndpoint.series.builder(limits: PayloadLimits())
        let zstd = try #require(try builder.build(SeriesEncoder.items(Self.series(20)).items, encoding: .zstd).payloads.first)
        let deflate = try builder.recode(zstd, to: .deflate)
        #expect(deflate.encoding == .deflate)
        #expect(try deflate.encoding.decompress(deflate.body) == zstd.encoding.decompress(zstd.body))
    }
}
