import Testing
import VigilModel
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

/// Issue 14, item 5. The reference (`parseEvent`) slices the title and the
/// text by their declared byte lengths, whatever byte lies between them,
/// and reads optional fields from what follows; it refuses an event only
/// when the lengths reach past its end. The protocol documentation implies
/// the lengths land on the `|` separators; the reference does not check.
@Suite struct EventLengthConformanceTests {
    func event(_ text: String) throws -> (DogStatsDServer, Event?) {
        let server = try makeOfflineServer()
        return (server, Conformance.flush(server, text).events.first)
    }

    @Test func exactLengths() throws {
        let e = try #require(try event("_e{5,4}:title|text|#a").1)
        #expect(e.title == "title" && e.text == "text" && e.tags == ["a"])
    }

    @Test func shortTitleLengthSlicesTheTitle() throws {
        // title "tit", one byte skipped ("l"), text the next 4 bytes "e|te"; "xt" is an unknown field.
        let e = try #require(try event("_e{3,4}:title|text|#a").1)
        #expect(e.title == "tit")
        #expect(e.text == "e|te")
        #expect(e.tags == ["a"])
    }

    @Test func shortTextLengthSlicesTheText() throws {
        let e = try #require(try event("_e{5,2}:title|text|#a|h:h1").1)
        #expect(e.title == "title")
        #expect(e.text == "te")
        #expect(e.tags == ["a"])
        #expect(e.host == "h1")
    }

    @Test func lengthsCountBytesNotCharacters() throws {
        let e = try #require(try event("_e{2,4}:é|日|#a").1)  // é is 2 bytes, 日 is 3
        #expect(e.title == "é")
        #expect(e.text == "日|")
    }

    @Test(arguments: ["_e{5,20}:title|text", "_e{30,1}:title|text", "_e{2,0}:hi", "_e{9223372036854775807,1}:a|b"])
    func lengthsPastTheEndRefuse(text: String) throws {
        let (server, e) = try event(text)
        #expect(e == nil)
        #expect(server.count(of: .eventLengthMismatch) == 1)
    }
}
