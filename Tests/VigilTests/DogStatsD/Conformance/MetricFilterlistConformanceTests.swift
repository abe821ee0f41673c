import Testing
import VigilModel
@testable import VigilDogStatsD

/// Issue 14, item 10: `metric_filterlist` drops metrics by name, exactly or
/// (with `metric_filterlist_match_prefix`, or an entry ending in `*`) by
/// prefix, tested on the name after `statsd_metric_namespace`, as in the
/// reference. Dropped metrics are counted (`filtered_metrics`).
@Suite struct MetricFilterlistConformanceTests {
    @Test func exactNames() throws {
        let server = try makeOfflineServer("metric_filterlist: [noisy.a, noisy.b]\n")
        let batch = Conformance.flush(server, "noisy.a:1|c\nnoisy.b:1|g\nnoisy.ab:1|g\nkept:1|g")
        #expect(batch.series.map(\.name).sorted() == ["kept", "noisy.ab"])
        #expect(server.totals().filteredMetrics == 2)
        #expect(server.statusSnapshot()["filtered_metrics"] == .int(2))
    }

    @Test func prefixes() throws {
        let server = try makeOfflineServer("metric_filterlist: [noisy, dev.x]\nmetric_filterlist_match_prefix: true\n")
        let batch = Conformance.flush(server, "noisy:1|g\nnoisy.a:1|g\ndev.xyz:1|h\ndev.y:1|g\nnois:1|g")
        #expect(batch.series.map(\.name).sorted() == ["dev.y", "nois"])
        #expect(server.totals().filteredMetrics == 3)
    }

    @Test func starEntryIsAPrefix() throws {
        let server = try makeOfflineServer("metric_filterlist: [\"tmp.*\", exact]\n")
        let batch = Conformance.flush(server, "tmp.a:1|g\ntmp.:1|g\nexact:1|g\nexactly:1|g")
        #expect(batch.series.map(\.name) == ["exactly"])
    }

    @Test func testedAfterTheNamespace() throws {
        let server = try makeOfflineServer("statsd_metric_namespace: app\nmetric_filterlist: [app.drop]\n")
        let batch = Conformance.flush(server, "drop:1|g\nkeep:1|g")
        #expect(batch.series.map(\.name) == ["app.keep"])
    }
}

/// The matcher alone, on the orderings a binary search can get wrong.
@Suite struct MetricNameMatcherTests {
    func matches(_ m: MetricNameMatcher, _ name: String) -> Bool {
        Array(name.utf8).withUnsafeBytes { m.matches($0) }
    }

    @Test func nestedPrefixesKeepTheShortest() {
        let m = MetricNameMatcher(["ab", "a", "b.c"], matchPrefix: true)
        #expect(matches(m, "ac") && matches(m, "abz") && matches(m, "a") && matches(m, "b.cd"))
        #expect(!matches(m, "b") && !matches(m, "") && !matches(m, "Ab"))
    }

    @Test func exactOnly() {
        let m = MetricNameMatcher(["b", "a", "a"], matchPrefix: false)
        #expect(matches(m, "a") && matches(m, "b"))
        #expect(!matches(m, "ab") && !matches(m, "") && !matches(m, "c"))
    }
}
