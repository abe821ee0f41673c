import Foundation
import Testing
import VigilConfig
import VigilAggregation
import VigilModel
@testable import VigilForwarding

@Suite struct LocalStoreTests {
    func forwarder(_ dir: TemporaryDirectory, extra: String = "") throws -> Forwarder {
        let config = try AgentConfig.fromYAML("run_path: \(dir.path)\n" + extra, baseDirectory: dir.path)
        return try Forwarder(config: config, hostname: "test-host")
    }

    @Test func flushedSeriesCanBeQueriedByTagAndTime() async throws {
        let dir = try TemporaryDirectory()
        let forwarder = try forwarder(dir, extra: "prometheus_scrape: true")
        forwarder.start()
        let now = WallClock.nowSeconds()
        forwarder.consume(FlushBatch(series: [
            Series(name: "mem.used", type: .gauge, points: [Point(timestamp: now - 3600, value: 1), Point(timestamp: now - 5, value: 2)],
                   tags: ["container_name:web", "env:prod"], host: "h"),
            Series(name: "mem.used", type: .gauge, points: [Point(timestamp: now - 5, value: 3)], tags: ["container_name:db"], host: "h"),
        ], sketches: [SketchSeries(name: "lat", tags: ["svc:x"], host: "h", interval: 10,
                                   points: [SketchPoint(timestamp: now, count: 4, min: 1, max: 8, sum: 12, average: 3, keys: [], binCounts: [])])]))
        await forwarder.stop()

        let query = LocalStoreQuery(config: try AgentConfig.fromYAML("run_path: \(dir.path)", baseDirectory: dir.path))
        let all = try query.run(metric: "mem.used", since: now - 7200)
        #expect(all.count == 2)
        let web = try query.run(metric: "mem.used", tags: ["container_name:web"], since: now - 60)
        #expect(web.map(\.points) == [[Point(timestamp: now - 5, value: 2)]])
        #expect(web.first?.tags == ["container_name:web", "env:prod"])
        #expect(try query.run(metric: "mem.used", tags: ["host:h", "container_name:db"]).first?.points.map(\.value) == [3])
        #expect(try query.run(metric: "mem.used", tags: ["container_name:nope"]).isEmpty)
        #expect(try query.run(metric: "lat.max").first?.points.map(\.value) == [8])
        #expect(try query.metricNames().contains("lat.count"))
        #expect(forwarder.statusSnapshot()["destinations"]?["local_store"]?["points_stored"] == .int(8))
        #expect(forwarder.prometheusText().contains("mem_used{container_name=\"db\",host=\"h\"} 3"))
    }

    /// Stores without sketches get the distribution's percentiles, estimated
    /// from the bins within the sketch's relative accuracy.
    @Test func distributionsBecomePercentileSeries() throws {
        var sketch = DDSketch()
        for v in 1...1000 { sketch.insert(Double(v)) }
        let series = SketchSummary.series([SketchSeries(name: "lat", tags: ["svc:x"], host: "h", interval: 10,
                                                        points: [sketch.point(timestamp: 100)])])
        let values = Dictionary(uniqueKeysWithValues: series.map { ($0.name, $0.points[0].value) })
        for (name, exact) in [("lat.p50", 500.0), ("lat.p75", 750), ("lat.p90", 900), ("lat.p95", 950), ("lat.p99", 990)] {
            let v = try #require(values[name], "\(name) missing")
            #expect(abs(v - exact) / exact <= 1.0 / 128 + 0.002, "\(name) = \(v)")
        }
        #expect(values["lat.count"] == 1000)
        #expect(values["lat.min"] == 1 && values["lat.max"] == 1000)
        #expect(series.allSatisfy { $0.tags == ["svc:x"] && $0.host == "h" && $0.points[0].timestamp == 100 })
    }

    @Test func retentionPurgesOldPoints() throws {
        let dir = try TemporaryDirectory()
        let database = try VigilDatabase.open(path: dir.path + "/vigil.db", logger: .init(label: "test"))
        let store = LocalTimeSeriesStore(database: database, retentionSeconds: 100)
        try store.write([Series(name: "m", type: .gauge, points: [Point(timestamp: 800, value: 1), Point(timestamp: 950, value: 2)],
                                tags: [], host: ""),
                         Series(name: "gone", type: .gauge, points: [Point(timestamp: 10, value: 1)], tags: [], host: "")])
        try store.purge(now: 1000)
        let query = LocalStoreQuery(databasePath: dir.path + "/vigil.db")
        #expect(try query.run(metric: "m").first?.points.map(\.value) == [2])
        #expect(try query.metricNames() == ["m"])
    }

    /// `vigil query --list`: every stored metric with its series and point counts and tag keys,
    /// filtered by a part of the name or a glob.
    @Test func listSummarisesStoredMetrics() throws {
        let dir = try TemporaryDirectory()
        let database = try VigilDatabase.open(path: dir.path + "/vigil.db", logger: .init(label: "test"))
        let store = LocalTimeSeriesStore(database: database, retentionSeconds: 10_000)
        try store.write([
            Series(name: "app.requests", type: .count, points: [Point(timestamp: 900, value: 1), Point(timestamp: 910, value: 2)],
                   tags: ["env:prod", "route:/a"], host: "h"),
            Series(name: "app.requests", type: .count, points: [Point(timestamp: 900, value: 3)], tags: ["env:dev", "bare"], host: "h"),
            Series(name: "container.cpu.usage", type: .gauge, points: [Point(timestamp: 900, value: 5)], tags: ["container_id:a"], host: "h"),
        ])
        let query = LocalStoreQuery(databasePath: dir.path + "/vigil.db")
        #expect(try query.list() == [
            .init(metric: "app.requests", series: 2, points: 3, tagKeys: ["bare", "env", "route"]),
            .init(metric: "container.cpu.usage", series: 1, points: 1, tagKeys: ["container_id"]),
        ])
        #expect(try query.list(pattern: "cpu").map(\.metric) == ["container.cpu.usage"])
        #expect(try query.list(pattern: "app.*").map(\.metric) == ["app.requests"])
        #expect(try query.list(pattern: "nothing*").isEmpty)
    }

    /// `local_store_max_size`: past the bound the oldest points go first,
    /// down to 90 % of it, and the newest stay.
    @Test func theSizeBoundDeletesTheOldestPointsFirst() throws {
        let dir = try TemporaryDirectory()
        let database = try VigilDatabase.open(path: dir.path + "/vigil.db", logger: .init(label: "test"))
        let bound = 256 << 10
        let store = LocalTimeSeriesStore(database: database, retentionSeconds: 1 << 40, maxBytes: bound)
        #expect(try store.enforceSizeBound() == 0)
        // 200 series with long tags, one point every 10 s over 100 windows: about four times the bound.
        var deleted = 0
        for window in 0..<100 {
            let ts = Int64(1_000_000 + 10 * window)
            try store.write((0..<200).map { i in
                Series(name: "m", type: .gauge, points: [Point(timestamp: ts, value: Double(window))],
                       tags: ["series:\(i)", "padding:" + String(repeating: "x", count: 40)], host: "h")
            })
            deleted += try store.enforceSizeBound()
            #expect(try store.sizeBytes() <= bound)
        }
        #expect(deleted > 0)
        let query = LocalStoreQuery(databasePath: dir.path + "/vigil.db")
        let points = try query.run(metric: "m", tags: ["series:7"], since: 0).flatMap(\.points)
        // What is left is the newest part, without a gap.
        #expect(points.last?.value == 99)
        #expect(points.count < 100 && points.count > 10)
        #expect(points.map(\.value) == (100 - points.count..<100).map(Double.init))
        let left = try query.list().reduce(0) { $0 + $1.points }
        #expect(deleted + left == 100 * 200)
    }

    @Test func theSizeBoundIsASetting() throws {
        let dir = try TemporaryDirectory()
        func settings(_ yaml: String) throws -> ForwarderSettings {
            try ForwarderSettings(config: AgentConfig.fromYAML("run_path: \(dir.path)\n" + yaml, baseDirectory: dir.path))
        }
        #expect(try settings("").localStoreMaxBytes == 1 << 30)
        #expect(try settings("local_store_max_size: 256MiB").localStoreMaxBytes == 256 << 20)
        #expect(try settings("local_store_max_size: 2GB").localStoreMaxBytes == 2 << 30)
        #expect(throws: ConfigError.self) { try settings("local_store_max_size: 10KB") }
        #expect(throws: ConfigError.self) { try settings("local_store_max_size: lots") }
    }

    @Test func queryWithoutADatabaseExplainsItself() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: LocalStoreError.self) { try LocalStoreQuery(databasePath: dir.path + "/vigil.db").run(metric: "x") }
    }

    @Test func settingsParseAndValidate() throws {
        let dir = try TemporaryDirectory()
        let settings = try ForwarderSettings(config: AgentConfig.fromYAML("""
            run_path: \(dir.path)
            forwarder_storage_max_size: 10MB
            local_store_retention: 90m
            """, baseDirectory: dir.path))
        #expect(settings.outboxMaxBytes == 10 << 20)
        #expect(settings.localRetentionSeconds == 5400)
        #expect(!settings.usesIntake)
        #expect(settings.localStore)
        #expect(throws: ConfigError.self) {
            try ForwarderSettings(config: AgentConfig.fromYAML("dd_url: http://127.0.0.1:1", baseDirectory: dir.path))
        }
        let keyed = try ForwarderSettings(config: AgentConfig.fromYAML("dd_url: http://127.0.0.1:1", baseDirectory: dir.path,
                                                                        environment: ["VIGIL_API_KEY": "sekrit-key-value"]))
        #expect(keyed.usesIntake)
        var dumped = ""
        dump(keyed, to: &dumped)
        #expect(!dumped.contains("sekrit") && !"\(keyed)".contains("sekrit"))
        #expect(keyed.localStore, "the local store stays on beside a remote destination")
        #expect(keyed.datadog?.encoding(for: .series) == .zstd)
        #expect(keyed.datadog?.encoding(for: .events) == .deflate)
        let deflate = try ForwarderSettings(config: AgentConfig.fromYAML("""
            dd_url: http://127.0.0.1:1
            forwarder_compression: deflate
            local_store: false
            """, baseDirectory: dir.path, environment: ["VIGIL_API_KEY": "k"]))
        #expect(deflate.datadog?.encoding(for: .series) == .deflate)
        #expect(!deflate.localStore)
        #expect(throws: ConfigError.self) {
            try ForwarderSettings(config: AgentConfig.fromYAML("local_store_retention: soon", baseDirectory: dir.path))
        }
        #expect(DurationText.seconds("10m") == 600)
        #expect(DurationText.seconds("2d") == 172_800)
        #expect(DurationText.seconds("x") == nil)
    }
}
