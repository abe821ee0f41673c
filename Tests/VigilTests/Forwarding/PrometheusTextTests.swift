import Testing
import VigilAggregation
import VigilModel
@testable import VigilForwarding

/// The typed exposition behind `GET /metrics` and the mapping it shares
/// with remote write.
@Suite struct PrometheusTextTests {
    static func render(_ batches: [FlushBatch]) -> String {
        let sink = ScrapeSink()
        batches.forEach(sink.write)
        return sink.render()
    }

    @Test func gaugesAndRatesAreTypedGaugesWithEscapedLabels() {
        let now = WallClock.nowSeconds()
        let text = Self.render([FlushBatch(series: [
            Series(name: "container.cpu.usage", type: .rate, points: [Point(timestamp: now - 1, value: 1), Point(timestamp: now, value: 0.5)],
                   tags: ["container_name:web", "env:a\"b", "env:c", "standalone"], host: "node-1"),
            Series(name: "container.cpu.usage", type: .rate, points: [Point(timestamp: now, value: 7)], tags: [], host: ""),
            Series(name: "9lives", type: .gauge, points: [Point(timestamp: now, value: 3)], tags: ["host:override", "path:a\\b\nc"], host: "node-1"),
        ])])
        #expect(text == """
            # HELP _9lives 9lives (gauge from Vigil)
            # TYPE _9lives gauge
            _9lives{host="override",path="a\\\\b\\nc"} 3
            # HELP container_cpu_usage container.cpu.usage (gauge from Vigil)
            # TYPE container_cpu_usage gauge
            container_cpu_usage 7
            container_cpu_usage{container_name="web",env="a\\"b,c",host="node-1",standalone="true"} 0.5

            """)
    }

    @Test func countsBecomeRunningCounters() {
        let now = WallClock.nowSeconds()
        func flush(_ value: Double, at t: Int64) -> FlushBatch {
            FlushBatch(series: [Series(name: "jobs.done", type: .count, points: [Point(timestamp: t, value: value)], tags: ["q:a"], host: "h")])
        }
        let text = Self.render([flush(3, at: now - 20), flush(0, at: now - 10), flush(4, at: now)])
        #expect(text.contains("# TYPE jobs_done_total counter\njobs_done_total{host=\"h\",q=\"a\"} 7\n"))
    }

    @Test func distributionsAreSummariesWithRunningSumAndCount() {
        let now = WallClock.nowSeconds()
        var sketch = DDSketch()
        for v in 1...100 { sketch.insert(Double(v)) }
        let first = sketch.point(timestamp: now - 10)
        let second = SketchPoint(timestamp: now, count: 1, min: 50, max: 50, sum: 50, average: 50, keys: [DDSketchMapping.key(50)], binCounts: [1])
        let text = Self.render([first, second].map { point in
            FlushBatch(sketches: [SketchSeries(name: "req.latency", tags: ["svc:x"], host: "", interval: 10, points: [point])])
        })
        #expect(text.contains("# TYPE req_latency summary\n"))
        #expect(text.contains("req_latency{quantile=\"0.5\",svc=\"x\"} 50\n"))
        #expect(text.contains("req_latency_sum{svc=\"x\"} 5100\n"))
        #expect(text.contains("req_latency_count{svc=\"x\"} 101\n"))
        // Quantiles, then _sum, then _count: the order the format shows.
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("req_latency") }
        #expect(lines.last?.hasPrefix("req_latency_count") == true)
        #expect(lines.dropLast().last?.hasPrefix("req_latency_sum") == true)
    }

    @Test func namesFollowPrometheusRules() {
        #expect(PrometheusNaming.metricName("a.b-c:d/é") == "a_b_c_d__")
        #expect(PrometheusNaming.gaugeName("http.latency.count") == "http_latency_count_value")
        #expect(PrometheusNaming.gaugeName("http.latency.avg") == "http_latency_avg")
        #expect(PrometheusNaming.counterName("jobs") == "jobs_total")
        #expect(PrometheusNaming.counterName("jobs_total") == "jobs_total")
        #expect(PrometheusNaming.labelName("__name__") == "_name__")
        #expect(PrometheusNaming.labelName("kube.namespace") == "kube_namespace")
        let labels = PrometheusNaming.labels(tags: ["b:2", "a:1", "b:3", "flag", "empty:"], host: "h")
        #expect(labels.map { "\($0.name)=\($0.value)" } == ["a=1", "b=2,3", "flag=true", "host=h"])
        #expect(PrometheusNaming.labels(tags: [], host: "").isEmpty)
    }

    @Test func staleSeriesAreForgotten() {
        let sink = ScrapeSink(staleAfter: 60)
        let now = WallClock.nowSeconds()
        sink.write(FlushBatch(series: [Series(name: "old", type: .gauge, points: [Point(timestamp: now, value: 1)], tags: [], host: "")]))
        #expect(sink.render(now: now).contains("old 1"))
        #expect(!sink.render(now: now + 61).contains("old 1"))
    }
}
