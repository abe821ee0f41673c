import Testing
import VigilModel
@testable import VigilDogStatsD

/// Issue 14, item 6. A set's member is everything between the first `:`
/// and the first `|` (the reference keeps the raw value of a set, which
/// it never splits into several values).
@Suite struct SetMemberConformanceTests {
    @Test func colonsBelongToTheMember() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "u:abc:def|s\nu:abc:def|s\nu:abc|s\nu:def|s")
        let s = try #require(batch.series(named: "u").first)
        #expect(s.type == .gauge)
        #expect(s.points == [Point(timestamp: Int64(Conformance.t0), value: 3)])  // abc:def, abc, def
    }

    @Test func memberWithTagsAndRate() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "ip:10.0.0.1:8080|s|@0.5|#svc:web\nip:10.0.0.2:8080|s|#svc:web")
        let s = try #require(batch.series(named: "ip").first)
        #expect(s.tags == ["svc:web"])
        #expect(s.points.first?.value == 2)
    }

    @Test func emptyMemberIsRefused() throws {
        let server = try makeOfflineServer()
        let batch = Conformance.flush(server, "u:|s")
        #expect(batch.series.isEmpty)
        #expect(server.count(of: .missingValue) == 1)
    }
}
