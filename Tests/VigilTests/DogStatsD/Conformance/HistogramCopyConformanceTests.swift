import Testing
import VigilModel
@testable import VigilDogStatsD

/// Issue 14, item 10: with `histogram_copy_to_distribution`, every
/// histogram and timer sample is also aggregated as a distribution named
/// `histogram_copy_to_distribution_prefix` + its name (after the
/// namespace), with the same tags and host, as the reference's server does.
@Suite struct HistogramCopyConformanceTests {
    @Test func histogramsAndTimersAreCopied() throws {
        let server = try makeOfflineServer("histogram_copy_to_distribution: true\nhistogram_copy_to_distribution_prefix: dist.\n")
        let batch = Conformance.flush(server, "lat:1:2:3|h|#a,host:h1\nq:5|ms\ng:1|g\nd:1|d")
        #expect(batch.value("lat.max") == 3)
        let lat = try #require(batch.sketches.first { $0.name == "dist.lat" })
        #expect(lat.points.first?.count == 3)
        #expect(lat.points.first?.sum == 6)
        #expect(lat.host == "h1")
        #expect(lat.tags == ["a"])
        #expect(batch.sketches.first { $0.name == "dist.q" }?.points.first?.count == 1)
        #expect(batch.value("q.max") == 5)
        #expect(batch.sketches.map(\.name).sorted() == ["d", "dist.lat", "dist.q"])
        // Copies are not metrics received: 3 + 1 + 1 + 1 values came in.
        #expect(server.totals().metrics == 6)
    }

    @Test func withoutPrefixTheSameNameAsASketch() throws {
        let server = try makeOfflineServer("histogram_copy_to_distribution: true\nstatsd_metric_namespace: app\n")
        let batch = Conformance.flush(server, "lat:4|h|@0.5")
        #expect(batch.value("app.lat.count") == 0.2)
        let sketch = try #require(batch.sketches.first)
        #expect(sketch.name == "app.lat")
        #expect(sketch.points.first?.count == 2)
    }

    @Test func offByDefault() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "lat:1|h")
        #expect(batch.sketches.isEmpty)
    }

    @Test func timestampedHistogramsAreNotCopied() throws {
        let server = try makeOfflineServer("histogram_copy_to_distribution: true\n")
        let batch = Conformance.flush(server, "lat:1|h|T1600000000")
        #expect(batch.sketches.isEmpty && batch.series.isEmpty)
    }
}
