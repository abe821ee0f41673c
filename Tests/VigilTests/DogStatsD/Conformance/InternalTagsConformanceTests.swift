import Testing
import VigilModel
import VigilWorkload
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

/// Issue 14, item 2. The reference's `extractTagsMetadata` removes
/// `dd.internal.entity_id:` (the pod uid clients send when `DD_ENTITY_ID`
/// is set; the tagger adds that pod's tags, `kubernetes_pod_uid://<uid>`),
/// `dd.internal.card:` (the cardinality, unless `|card:` set one) and
/// `dd.internal.jmx_check_name:` from the tags. None is part of a context.
@Suite struct InternalTagsConformanceTests {
    let containerID = String(repeating: "c", count: 64)

    @Test func entityIDAddsThePodsTags() throws {
        let (_, tagger) = try Conformance.taggerWithOnePod()
        let server = try makeOfflineServer(tagProvider: tagger)
        let batch = Conformance.flush(server, "m:1|g|#env:x,dd.internal.entity_id:pod-uid-1")
        let s = try #require(batch.series(named: "m").first)
        #expect(s.tags == ["env:x", "kube_namespace:shop"])
        #expect(server.totals().entityIDUnresolved == 0)
    }

    @Test func unknownPodIsCountedAsUnresolved() throws {
        let (_, tagger) = try Conformance.taggerWithOnePod()
        let server = try makeOfflineServer(tagProvider: tagger)
        let batch = Conformance.flush(server, "m:1|g|#env:x,dd.internal.entity_id:nobody\nm:2|g|#env:x,dd.internal.entity_id:none")
        let s = try #require(batch.series(named: "m").first)
        #expect(s.tags == ["env:x"])
        #expect(s.points[0].value == 2)
        // `none` is the clients' way of saying "no pod": not a lookup, not counted.
        #expect(server.totals().entityIDUnresolved == 1)
        #expect(server.statusSnapshot()["entity_id_unresolved"] == .int(1))
    }

    @Test func cardinalityTagChoosesThePodTags() throws {
        let (_, tagger) = try Conformance.taggerWithOnePod()
        let server = try makeOfflineServer(tagProvider: tagger)
        let batch = Conformance.flush(server, """
            a:1|g|#dd.internal.entity_id:pod-uid-1,dd.internal.card:orchestrator
            b:1|g|#dd.internal.entity_id:pod-uid-1,dd.internal.card:none
            c:1|g|#dd.internal.entity_id:pod-uid-1,dd.internal.card:orch|card:low
            """)
        #expect(batch.series(named: "a").first?.tags == ["kube_namespace:shop", "pod_name:web-0"])
        #expect(batch.series(named: "b").first?.tags == [])
        // `|card:` wins over the tag, as in the reference.
        #expect(batch.series(named: "c").first?.tags == ["kube_namespace:shop"])
    }

    @Test func cardinalityTagAppliesToADeclaredContainer() throws {
        let (_, tagger) = try Conformance.taggerWithOnePod()
        let server = try makeOfflineServer(tagProvider: tagger)
        let batch = Conformance.flush(server, "m:1|g|#dd.internal.card:HIGH|c:\(containerID)")
        let tags = try #require(batch.series(named: "m").first?.tags)
        #expect(tags.contains("container_id:\(containerID)"))
        #expect(!tags.contains { $0.hasPrefix("dd.internal") })
    }

    @Test func internalTagsDoNotSplitContexts() throws {
        let batch = Conformance.flush(try makeOfflineServer(), """
            c:1|c|#a,dd.internal.jmx_check_name:jmx
            c:2|c|#a,dd.internal.card:low
            c:4|c|#a,dd.internal.entity_id:none
            c:8|c|#a
            """)
        let series = batch.series(named: "c")
        #expect(series.count == 1)
        #expect(series.first?.tags == ["a"])
        #expect(series.first?.points.first?.value == 1.5)
    }

    @Test func eventsAndServiceChecksLoseInternalTags() throws {
        let (_, tagger) = try Conformance.taggerWithOnePod()
        let server = try makeOfflineServer(tagProvider: tagger)
        let batch = Conformance.flush(server, """
            _e{1,1}:t|x|#a,dd.internal.jmx_check_name:j,dd.internal.entity_id:pod-uid-1
            _sc|chk|0|#b,dd.internal.card:orch,dd.internal.entity_id:pod-uid-1
            """)
        #expect(batch.events.first?.tags == ["a", "kube_namespace:shop"])
        #expect(batch.serviceChecks.first?.tags == ["b", "kube_namespace:shop", "pod_name:web-0"])
    }
}
