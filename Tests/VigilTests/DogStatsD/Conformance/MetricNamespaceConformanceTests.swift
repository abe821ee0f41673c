import Testing
import VigilModel
@testable import VigilDogStatsD

/// Issue 14, item 10: `statsd_metric_namespace` is put in front of every
/// metric name (with a `.` added when it lacks one) unless the name starts
/// with a `statsd_metric_namespace_blacklist` prefix, whose default is the
/// reference's list of its own and JMXFetch's prefixes. Events and service
/// checks keep their names.
@Suite struct MetricNamespaceConformanceTests {
    @Test func namespaceIsPrefixedWithADot() throws {
        let server = try makeOfflineServer("statsd_metric_namespace: myapp\n")
        let batch = Conformance.flush(server, "requests:1|c|#a\n_sc|chk|0")
        let s = try #require(batch.series(named: "myapp.requests").first)
        #expect(s.tags == ["a"])
        #expect(s.points.first?.value == 0.1)
        #expect(batch.series(named: "requests").isEmpty)
        #expect(batch.serviceChecks.first?.name == "chk")
    }

    @Test func defaultBlacklistKeepsStandardPrefixes() throws {
        let server = try makeOfflineServer("statsd_metric_namespace: myapp.\n")
        let batch = Conformance.flush(server, "jvm.heap:1|g\ndatadog.agent.up:1|g\nkafkaesque:1|g\nmy:1|g")
        #expect(batch.value("jvm.heap") == 1)
        #expect(batch.value("datadog.agent.up") == 1)
        // A plain prefix match, as in the reference: "kafka" exempts "kafkaesque" too.
        #expect(batch.value("kafkaesque") == 1)
        #expect(batch.value("myapp.my") == 1)
    }

    @Test func configuredBlacklist() throws {
        let server = try makeOfflineServer("statsd_metric_namespace: ns\nstatsd_metric_namespace_blacklist: [keep.]\n")
        let batch = Conformance.flush(server, "keep.me:1|g\njvm.heap:1|g")
        #expect(batch.value("keep.me") == 1)
        #expect(batch.value("ns.jvm.heap") == 1)
    }

    @Test func namesakesInOnePacketShareAContext() throws {
        let server = try makeOfflineServer("statsd_metric_namespace: ns\n")
        let batch = Conformance.flush(server, "c:1|c\nc:2|c\nns.c:4|c")
        #expect(batch.value("ns.c") == 0.3)
        #expect(batch.value("ns.ns.c") == 0.4)
    }
}
