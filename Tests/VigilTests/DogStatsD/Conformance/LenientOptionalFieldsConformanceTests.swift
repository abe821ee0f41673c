import Testing
import VigilModel
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

/// Issue 14, item 4. The reference applies each optional field of an event
/// or service check on its own; one that does not parse is logged and
/// ignored, and the message kept (`applyEventOptionalField`,
/// `applyServiceCheckOptionalField`). Priorities and alert types are exact
/// lowercase words there. Vigil counts each ignored field.
@Suite struct LenientOptionalFieldsConformanceTests {
    @Test func eventKeepsItsGoodFieldsAndDropsTheBadOnes() throws {
        let server = try makeOfflineServer()
        let batch = Conformance.flush(server, "_e{5,4}:title|text|d:abc|p:urgent|t:fatal|k:key|s:src|#a")
        let event = try #require(batch.events.first)
        #expect(event.title == "title")
        #expect(event.text == "text")
        #expect(event.timestamp == Int64(Conformance.t0) + 1)  // arrival time
        #expect(event.priority == .normal)
        #expect(event.alertType == .info)
        #expect(event.aggregationKey == "key")
        #expect(event.sourceTypeName == "src")
        #expect(event.tags == ["a"])
        #expect(server.count(of: .ignoredEventField) == 3)
        #expect(server.totals().parseErrors == 0)
        #expect(server.statusSnapshot()["ignored_fields"]?["ignored_event_field"] == .int(3))
    }

    @Test func priorityAndAlertTypeAreExactWords() throws {
        let server = try makeOfflineServer()
        let batch = Conformance.flush(server, "_e{1,1}:a|b|p:LOW|t:Error\n_e{1,1}:c|d|p:low|t:error")
        let byTitle = Dictionary(uniqueKeysWithValues: batch.events.map { ($0.title, $0) })
        #expect(byTitle["a"]?.priority == .normal)
        #expect(byTitle["a"]?.alertType == .info)
        #expect(byTitle["c"]?.priority == .low)
        #expect(byTitle["c"]?.alertType == .error)
        #expect(server.count(of: .ignoredEventField) == 2)
    }

    @Test func serviceCheckKeepsItsGoodFields() throws {
        let server = try makeOfflineServer()
        let batch = Conformance.flush(server, "_sc|svc|1|d:abc|h:db1|#a|m:msg")
        let check = try #require(batch.serviceChecks.first)
        #expect(check.name == "svc")
        #expect(check.status == .warning)
        #expect(check.timestamp == Int64(Conformance.t0) + 1)
        #expect(check.host == "db1")
        #expect(check.tags == ["a"])
        #expect(check.message == "msg")
        #expect(server.count(of: .ignoredServiceCheckField) == 1)
        #expect(server.totals().serviceChecks == 1)
    }

    @Test func requiredPartsStillRefuse() throws {
        let server = try makeOfflineServer()
        let batch = Conformance.flush(server, "_sc|svc|9|#a\n_sc||0\n_e{0,1}:|x")
        #expect(batch.serviceChecks.isEmpty && batch.events.isEmpty)
        #expect(server.count(of: .invalidServiceCheckStatus) == 1)
        #expect(server.count(of: .invalidServiceCheck) == 1)
        #expect(server.count(of: .invalidEventHeader) == 1)
    }
}
