import Testing
import VigilModel
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

/// Issue 14, item 3. The reference reads `|T<unix seconds>` on every type
/// and sends those samples on without aggregation (its no-aggregation
/// pipeline, on by default): a gauge as a gauge, a count as what was sent
/// (its sample rate is not applied). That pipeline takes only gauges and
/// counts: histograms, timers, sets and distributions with `|T` are
/// dropped and counted (its `unsupported_type`); a timestamp that is not
/// a positive integer refuses the message.
@Suite struct TimestampConformanceTests {
    @Test func gaugeKeepsItsTimestamp() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "g:4|g|#a|T1600000000")
        let s = try #require(batch.series(named: "g").first)
        #expect(s.type == .gauge)
        #expect(s.points == [Point(timestamp: 1_600_000_000, value: 4)])
        #expect(s.tags == ["a"])
        #expect(s.host == "testhost")
    }

    @Test func countIsSentAsIsIgnoringItsSampleRate() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "c:5|c|@0.5|T1600000000|#host:h1")
        let s = try #require(batch.series(named: "c").first)
        #expect(s.type == .count)
        #expect(s.points == [Point(timestamp: 1_600_000_000, value: 5)])
        #expect(s.host == "h1")
    }

    @Test func otherTypesWithTimestampAreDroppedAndCounted() throws {
        let server = try makeOfflineServer()
        let batch = Conformance.flush(server, "h:1|h|T1600000000\nt:1|ms|T1600000000\ns:a|s|T1600000000\nd:1|d|T1600000000")
        #expect(batch.series.isEmpty)
        #expect(batch.sketches.isEmpty)
        #expect(server.count(of: .timestampedUnsupportedType) == 4)
    }

    @Test(arguments: ["c:1|c|T0", "c:1|c|T-5", "c:1|c|Tsoon", "c:1|c|T99999999999999999999"])
    func invalidTimestampRefusesTheMessage(text: String) throws {
        let server = try makeOfflineServer()
        let batch = Conformance.flush(server, text)
        #expect(batch.series.isEmpty)
        #expect(server.count(of: .invalidTimestamp) == 1)
    }
}
