import Testing
import VigilModel
@testable import VigilForwarding

@Suite struct PrometheusTextTests {
    @Test func rendersLatestValuesWithLabels() {
        let latest = LatestValues()
        latest.record([
            Series(name: "container.cpu.usage", type: .rate, points: [Point(timestamp: 1, value: 1), Point(timestamp: 2, value: 0.5)],
                   tags: ["container_name:web", "env:a\"b", "env:c", "standalone"], host: "node-1"),
            Series(name: "container.cpu.usage", type: .rate, points: [Point(timestamp: 2, value: 7)], tags: [], host: ""),
            Series(name: "9lives", type: .gauge, points: [Point(timestamp: 2, value: 3)], tags: ["host:override"], host: "node-1"),
        ], now: 10)
        let text = PrometheusText.render(latest.snapshot(now: 10))
        #expect(text == """
            # TYPE _lives gauge
            _lives{host="override"} 3
            # TYPE container_cpu_usage gauge
            container_cpu_usage 7
            container_cpu_usage{container_name="web",env="a\\"b,c",host="node-1",standalone="true"} 0.5

            """)
    }

    @Test func staleSeriesAreForgotten() {
        let latest = LatestValues(staleAfter: 60)
        latest.record([Series(name: "old", type: .gauge, points: [Point(timestamp: 1, value: 1)], tags: [], host: "")], now: 0)
        latest.record([Series(name: "new", type: .gauge, points: [Point(timestamp: 1, value: 1)], tags: [], host: "")], now: 100)
        #expect(latest.snapshot(now: 100).keys.map(\.name) == ["new"])
    }
}
