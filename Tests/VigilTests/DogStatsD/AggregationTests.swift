import Testing
import VigilModel
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

/// Packets in, series out: parser, context keys and the 10-second sampler together.
@Suite struct AggregationTests {
    let t0 = 1_700_000_000.0  // a bucket boundary

    @Test func countBecomesRateWithSampleRate() throws {
        let server = try makeOfflineServer()
        server.ingest("hits:3|c\nhits:1|c|@0.5", now: t0 + 1)
        let batch = server.flush(now: t0 + 10, force: false)
        let s = try #require(batch.series(named: "hits").first)
        #expect(s.type == .rate)
        #expect(s.points == [Point(timestamp: Int64(t0), value: 0.5)])  // (3 + 1/0.5) / 10 s
        #expect(s.interval == 10)
        #expect(s.host == "testhost")
    }

    @Test func incompleteBucketWaitsUnlessForced() throws {
        let server = try makeOfflineServer()
        server.ingest("g1:7|g", now: t0 + 3)
        #expect(server.flush(now: t0 + 9, force: false).series.isEmpty)
        #expect(server.flush(now: t0 + 9, force: true).series(named: "g1").first?.points.first?.value == 7)
    }

    @Test func gaugeKeepsLastSetCountsDistinct() throws {
        let server = try makeOfflineServer()
        server.ingest("temp:1|g\ntemp:5|g\nusers:alice|s\nusers:bob|s\nusers:alice|s", now: t0)
        let batch = server.flush(now: t0 + 10, force: false)
        #expect(batch.series(named: "temp").first?.points.first?.value == 5)
        #expect(batch.series(named: "users").first?.points.first?.value == 2)
        #expect(batch.series(named: "users").first?.type == .gauge)
    }

    @Test func histogramAndTimerSummaries() throws {
        let server = try makeOfflineServer()
        server.ingest("lat:1:2:3:4|h\nlat:10|h|@0.5\nq:5|ms", now: t0)
        let batch = server.flush(now: t0 + 10, force: false)
        #expect(batch.series(named: "lat.max").first?.points.first?.value == 10)
        // The sample at rate 0.5 stands for two: (1+2+3+4+2×10) ÷ 6.
        #expect(batch.series(named: "lat.avg").first?.points.first?.value == 5)
        #expect(batch.series(named: "lat.median").first?.points.first?.value == 3)
        #expect(batch.series(named: "lat.95percentile").first?.points.first?.value == 10)
        // 4 samples + one at rate 0.5 = 6 samples in 10 s.
        #expect(batch.series(named: "lat.count").first?.points.first?.value == 0.6)
        #expect(batch.series(named: "lat.count").first?.type == .rate)
        #expect(batch.series(named: "q.max").first?.points.first?.value == 5)
    }

    @Test func histogramPercentilesWeighSampleRates() throws {
        let server = try makeOfflineServer()
        // 3 sent at rate 0.25 stands for four samples: the median of 1, 2, 3, 3, 3, 3 is 3, not 2.
        server.ingest("m:1|h\nm:2|h\nm:3|h|@0.25", now: t0)
        let batch = server.flush(now: t0 + 10, force: false)
        #expect(batch.series(named: "m.median").first?.points.first?.value == 3)
        #expect(batch.series(named: "m.avg").first?.points.first?.value == 2.5)
        #expect(batch.series(named: "m.count").first?.points.first?.value == 0.6)
    }

    @Test func distributionBecomesSketch() throws {
        let server = try makeOfflineServer()
        let values = (1...1000).map { Double($0) }
        for v in values { server.ingest("resp:\(v)|d|#a", now: t0) }
        let batch = server.flush(now: t0 + 10, force: false)
        let sketch = try #require(batch.sketches.first { $0.name == "resp" })
        let point = try #require(sketch.points.first)
        #expect(point.count == 1000)
        #expect(point.min == 1 && point.max == 1000 && point.sum == 500_500)
        #expect(abs(point.quantile(0.5) - 500) / 500 < 0.02)
        #expect(abs(point.quantile(0.99) - 990) / 990 < 0.02)
        #expect(sketch.tags == ["a"])
    }

    @Test func tagOrderAndDuplicatesDoNotSplitContexts() throws {
        let server = try makeOfflineServer()
        server.ingest("c:1|c|#b,a\nc:1|c|#a,b,a\nc:1|c|#a", now: t0)
        let batch = server.flush(now: t0 + 10, force: false)
        let series = batch.series(named: "c").sorted { $0.tags.count < $1.tags.count }
        #expect(series.map(\.tags) == [["a"], ["a", "b"]])
        #expect(series.last?.points.first?.value == 0.2)
    }

    @Test func hostTagNamesTheHost() throws {
        let server = try makeOfflineServer()
        server.ingest("m:1|g|#host:other,env:x", now: t0)
        let s = try #require(server.flush(now: t0 + 10, force: false).series(named: "m").first)
        #expect(s.host == "other")
        #expect(s.tags == ["env:x"])
    }

    @Test func timestampedSamplesSkipAggregation() throws {
        let server = try makeOfflineServer()
        server.ingest("old:4|g|T1600000000\nold:2|c|T1600000005", now: t0)
        let batch = server.flush(now: t0, force: false)
        let points = batch.series(named: "old").map { ($0.type, $0.points.first!) }
        #expect(points.count == 2)
        #expect(points.contains { $0.0 == .gauge && $0.1 == Point(timestamp: 1_600_000_000, value: 4) })
        #expect(points.contains { $0.0 == .count && $0.1 == Point(timestamp: 1_600_000_005, value: 2) })
    }

    @Test func counterReportsZeroUntilExpiry() throws {
        let server = try makeOfflineServer("dogstatsd_expiry_seconds: 30\n")
        server.ingest("jobs:5|c", now: t0)
        #expect(server.flush(now: t0 + 10, force: false).series(named: "jobs").first?.points.first?.value == 0.5)
        // Nothing sent for a while: zeros for windows within 30 s of the last sample, then nothing.
        let later = server.flush(now: t0 + 60, force: false).series(named: "jobs")
        #expect(later.map(\.points.first!.timestamp).sorted() == [Int64(t0) + 10, Int64(t0) + 20, Int64(t0) + 30])
        #expect(later.allSatisfy { $0.points.first!.value == 0 })
        #expect(server.flush(now: t0 + 80, force: false).series(named: "jobs").isEmpty)
        #expect(server.statusSnapshot()["live_contexts"] == .int(0))
    }

    @Test func malformedLinesAreCountedAndTheRestKept() throws {
        let server = try makeOfflineServer()
        server.ingest("good:1|g\nbad:x|g\nalso bad\n:1|c\nmulti:1:y|h\ngood2:2|g\n", now: t0)
        let batch = server.flush(now: t0 + 10, force: false)
        #expect(batch.series.map(\.name).sorted() == ["good", "good2"])
        let errors = server.statusSnapshot()["parse_errors"]
        #expect(errors?["invalid_value"] == .int(2))
        #expect(errors?["missing_value"] == .int(1))
        #expect(errors?["empty_name"] == .int(1))
        #expect(server.totals().metrics == 2)
    }

    @Test func eventsAndServiceChecksPassThrough() throws {
        let server = try makeOfflineServer()
        server.ingest("_e{3,4}:abc|defg|#x\n_sc|svc|1|#y|m:hmm", now: t0)
        let batch = server.flush(now: t0, force: false)
        #expect(batch.events.map(\.title) == ["abc"])
        #expect(batch.events.first?.tags == ["x"])
        #expect(batch.serviceChecks.map(\.status) == [.warning])
        #expect(batch.serviceChecks.first?.message == "hmm")
        #expect(server.flush(now: t0, force: false).events.isEmpty)
    }

    @Test func clientContainerFieldAddsContainerTags() throws {
        let tagger = TableTagProvider(tagsByEntity: ["container_id://abc": ["image_name:nginx", "short_image:nginx"]])
        let server = try makeOfflineServer(tagProvider: tagger)
        server.ingest("req:1|c|#env:a|c:abc", now: t0)
        let s = try #require(server.flush(now: t0 + 10, force: false).series(named: "req").first)
        #expect(s.tags == ["env:a", "image_name:nginx", "short_image:nginx"])
        #expect(server.statusSnapshot()["origin_hits"] == .int(1))
    }

    /// A tagger that answers per cardinality, as the real one does.
    struct CardinalityTagger: TagProvider {
        func tags(forEntity entityID: String, cardinality: TagCardinality) -> [String]? {
            guard entityID == "container_id://abc" else { return nil }
            switch cardinality {
            case .low: return ["image_name:nginx"]
            case .orchestrator: return ["image_name:nginx", "pod_name:web-1"]
            case .high: return ["container_id:abc", "image_name:nginx", "pod_name:web-1"]
            }
        }
        func containerID(forCgroupPath path: String) -> String? { nil }
    }

    @Test func clientCardinalityFieldChoosesOriginTags() throws {
        let server = try makeOfflineServer(tagProvider: CardinalityTagger())
        server.ingest("a:1|c|c:abc\nb:1|c|c:abc|card:high\nc:1|c|card:orchestrator|c:abc\nd:1|c|c:abc|card:none\n"
                      + "e:1|c|c:abc|card:bogus", now: t0)
        let batch = server.flush(now: t0 + 10, force: false)
        #expect(batch.series(named: "a").first?.tags == ["image_name:nginx"])
        #expect(batch.series(named: "b").first?.tags == ["container_id:abc", "image_name:nginx", "pod_name:web-1"])
        #expect(batch.series(named: "c").first?.tags == ["image_name:nginx", "pod_name:web-1"])
        #expect(batch.series(named: "d").first?.tags == [])
        // An unknown value keeps the configured cardinality.
        #expect(batch.series(named: "e").first?.tags == ["image_name:nginx"])
    }

    @Test func badSettingsAreRefusedClearly() {
        #expect(throws: DogStatsDError.self) { try makeOfflineServer("dogstatsd_tag_cardinality: extreme\n") }
        #expect(throws: DogStatsDError.self) { try makeOfflineServer("dogstatsd_buffer_size: -1\n") }
    }
}
