import Testing
import VigilModel
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

@Suite struct EventAndServiceCheckParserTests {
    @Test func fullEvent() throws {
        let text = "_e{6,12}:Deploy|line1\\nline2|d:1700000000|h:web1|k:agg|p:low|s:jenkins|t:error|#env:prod,v:2"
        let parsed = try withPacket(text) { EventParser.parse($0, $1, defaultHost: "me", now: 5) }.get()
        #expect(parsed.event.title == "Deploy")
        #expect(parsed.event.text == "line1\nline2")
        #expect(parsed.event.timestamp == 1_700_000_000)
        #expect(parsed.event.host == "web1")
        #expect(parsed.event.aggregationKey == "agg")
        #expect(parsed.event.priority == .low)
        #expect(parsed.event.sourceTypeName == "jenkins")
        #expect(parsed.event.alertType == .error)
        #expect(parsed.client.tags == ["env:prod", "v:2"])
        #expect(parsed.ignoredFields == 0)
    }

    @Test func eventDefaults() throws {
        let parsed = try withPacket("_e{2,0}:hi|") { EventParser.parse($0, $1, defaultHost: "me", now: 5) }.get()
        #expect(parsed.event.title == "hi")
        #expect(parsed.event.text == "")
        #expect(parsed.event.host == "me")
        #expect(parsed.event.timestamp == 5)
        #expect(parsed.event.alertType == .info)
    }

    @Test(arguments: [("_e{a,1}:x|y", ParseErrorReason.invalidEventHeader), ("_e{1,1}x|y", .invalidEventHeader),
                      ("_e{5,1}:ab|c", .eventLengthMismatch), ("_e{1,9}:a|b", .eventLengthMismatch)])
    func badEvents(text: String, reason: ParseErrorReason) {
        #expect(throws: reason) { try withPacket(text) { EventParser.parse($0, $1, defaultHost: "", now: 0) }.get() }
    }

    @Test func fullServiceCheck() throws {
        let text = "_sc|db.up|2|d:1700000000|h:db1|#env:prod,role:db|m:down m\\: see details"
        let parsed = try withPacket(text) { ServiceCheckParser.parse($0, $1, defaultHost: "me", now: 5) }.get()
        #expect(parsed.check.name == "db.up")
        #expect(parsed.check.status == .critical)
        #expect(parsed.check.timestamp == 1_700_000_000)
        #expect(parsed.check.host == "db1")
        #expect(parsed.client.tags == ["env:prod", "role:db"])
        #expect(parsed.check.message == "down m: see details")
    }

    @Test(arguments: [("_sc||0", ParseErrorReason.invalidServiceCheck), ("_sc|x|7", .invalidServiceCheckStatus),
                      ("_sc|x|", .invalidServiceCheckStatus), ("_sc|x", .invalidServiceCheck)])
    func badServiceChecks(text: String, reason: ParseErrorReason) {
        #expect(throws: reason) { try withPacket(text) { ServiceCheckParser.parse($0, $1, defaultHost: "", now: 0) }.get() }
    }
}
