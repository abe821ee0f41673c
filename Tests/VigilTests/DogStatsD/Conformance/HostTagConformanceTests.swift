import Testing
import VigilModel
@testable import VigilDogStatsD

/// Issue 14, item 1. The reference (`extractTagsMetadata` in enrich.go)
/// takes a `host:<name>` tag out of the tags and makes it the sample's
/// host, on metrics, events and service checks; `host:` with nothing after
/// it means an empty host. An event's or check's own `h:` field wins when
/// it is not empty. The last `host:` tag wins.
@Suite struct HostTagConformanceTests {
    @Test func metricHostTagSetsTheHostAndIsNoTag() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "m:1|g|#env:x,host:web2")
        let s = try #require(batch.series(named: "m").first)
        #expect(s.host == "web2")
        #expect(s.tags == ["env:x"])
        #expect(s.points == [Point(timestamp: Int64(Conformance.t0), value: 1)])
    }

    @Test func emptyHostTagMeansNoHost() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "m:1|g|#host:,env:x")
        let s = try #require(batch.series(named: "m").first)
        #expect(s.host == "")
        #expect(s.tags == ["env:x"])
    }

    @Test func withoutHostTagTheAgentsHostname() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "m:1|g|#env:x")
        #expect(batch.series(named: "m").first?.host == "testhost")
    }

    @Test func lastHostTagWins() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "m:1|g|#host:a,host:b")
        let s = try #require(batch.series(named: "m").first)
        #expect(s.host == "b")
        #expect(s.tags.isEmpty)
    }

    @Test func hostIsPartOfTheContext() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "c:1|c|#host:a\nc:2|c|#host:b\nc:4|c\nc:8|c|#host:")
        let byHost = Dictionary(uniqueKeysWithValues: batch.series(named: "c").map { ($0.host, $0.points[0].value) })
        #expect(byHost == ["a": 0.1, "b": 0.2, "testhost": 0.4, "": 0.8])
    }

    @Test func eventHostTag() throws {
        let batch = Conformance.flush(try makeOfflineServer(),
                                      "_e{1,1}:t|x|#host:evhost,a\n_e{1,1}:u|y|h:field|#host:tag\n_e{1,1}:v|z|#host:")
        let byTitle = Dictionary(uniqueKeysWithValues: batch.events.map { ($0.title, $0) })
        #expect(byTitle["t"]?.host == "evhost")
        #expect(byTitle["t"]?.tags == ["a"])
        #expect(byTitle["u"]?.host == "field")
        #expect(byTitle["u"]?.tags == [])
        #expect(byTitle["v"]?.host == "")
    }

    @Test func aLaterTagsFieldReplacesAnEarlierOne() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "_e{1,1}:t|x|#host:a,x|#y\n_sc|c|0|#host:b|#z\nm:1|g|#host:c|#w")
        #expect(batch.events.first?.host == "testhost")
        #expect(batch.events.first?.tags == ["y"])
        #expect(batch.serviceChecks.first?.host == "testhost")
        #expect(batch.serviceChecks.first?.tags == ["z"])
        #expect(batch.series(named: "m").first?.host == "testhost")
        #expect(batch.series(named: "m").first?.tags == ["w"])
    }

    @Test func serviceCheckHostTag() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "_sc|a|0|#host:schost,x\n_sc|b|1|h:|#host:tag\n_sc|c|2|h:own")
        let byName = Dictionary(uniqueKeysWithValues: batch.serviceChecks.map { ($0.name, $0) })
        #expect(byName["a"]?.host == "schost")
        #expect(byName["a"]?.tags == ["x"])
        // An empty `h:` does not override the tag, as in the reference.
        #expect(byName["b"]?.host == "tag")
        #expect(byName["c"]?.host == "own")
    }
}
