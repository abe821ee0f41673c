import Testing
import VigilModel
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

/// Issue 14, item 7. The reference's `parseFloat64List` skips empty values
/// between `:` separators (`21::22`, a trailing `:`); a message with no
/// value at all, or one that does not parse, is refused whole.
@Suite struct MultiValueConformanceTests {
    @Test func emptyValuesAreSkipped() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "h:1::2|h\nh:3:|h\nh::4|h")
        #expect(batch.value("h.count") == 0.4)  // four samples in 10 s
        #expect(batch.value("h.max") == 4)
        #expect(batch.value("h.avg") == 2.5)
    }

    @Test func countsAndGauges() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "c:1::2:|c\ng:5::7|g")
        #expect(batch.value("c") == 0.3)
        #expect(batch.value("g") == 7)  // the last value
    }

    @Test(arguments: ["h:::|h", "h:1:x:2|h", "h:1:2|h|@0"])
    func refusedWhole(text: String) throws {
        let server = try makeOfflineServer()
        let batch = Conformance.flush(server, text)
        #expect(batch.series.isEmpty)
        #expect(server.totals().parseErrors == 1)
        #expect(server.totals().metrics == 0)
    }
}
