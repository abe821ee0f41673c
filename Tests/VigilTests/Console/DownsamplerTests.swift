import Testing
import VigilModel
@testable import VigilConsole
@testable import VigilForwarding

@Suite struct DownsamplerTests {
    @Test func gridHasOneBucketPerPixelButNoneNarrowerThanTheFlush() {
        // 24 h of a 15 s series onto 800 pixels: 108 s per bucket, at most 801 buckets.
        let day = Downsampler.Grid(start: 1_000_000, end: 1_086_400, width: 800, minimumStep: 15)
        #expect(day.step == 108)
        #expect(day.count <= 801 && day.count >= 800)
        // 15 min onto 800 pixels would be 2 s buckets, mostly empty: the flush interval wins.
        let quarter = Downsampler.Grid(start: 1_000_000, end: 1_000_900, width: 800, minimumStep: 15)
        #expect(quarter.step == 15)
        #expect(quarter.count == 61 || quarter.count == 60)
        // Aligned to the step, so a refresh a few seconds later keeps the same bucket edges.
        #expect(quarter.start % 15 == 0 && quarter.start <= 1_000_000)
        let later = Downsampler.Grid(start: 1_000_003, end: 1_000_903, width: 800, minimumStep: 15)
        #expect(later.start == quarter.start)
    }

    /// Points written to a real local store, read back as one plot line: SQLite does the bucketing.
    func plot(_ points: [Point], grid: Downsampler.Grid, scale: Double = 1, ceiling: Double = .infinity) throws -> [Downsampler.Bucket?] {
        let dir = try TemporaryDirectory()
        let database = try VigilDatabase.open(path: dir.path + "/vigil.db", logger: .init(label: "test"))
        _ = try LocalTimeSeriesStore(database: database, retentionSeconds: 1 << 40)
            .write([Series(name: "m", type: .gauge, points: points, tags: ["a:b"], host: "h")])
        let spec = PlotSpec(title: "t", unit: "u", lines: [.init(label: "m", metric: "m", tags: ["a:b"], scale: scale, ceiling: ceiling)])
        let end = grid.start + grid.step * Int64(grid.count)
        let data = try PlotData.read(spec, store: LocalStoreQuery(databasePath: dir.path + "/vigil.db"), end: end,
                                     range: end - grid.start, width: grid.count, minimumStep: grid.step)
        #expect(data.grid == grid)
        return data.columns.first?.buckets ?? []
    }

    @Test func eachBucketKeepsMinAverageAndMax() throws {
        let grid = Downsampler.Grid(start: 0, end: 100, width: 10, minimumStep: 1)
        #expect(grid.step == 10)
        let points = [Point(timestamp: 0, value: 1), Point(timestamp: 5, value: 3), Point(timestamp: 9, value: 8),
                      Point(timestamp: 35, value: 4), Point(timestamp: 100, value: 99), Point(timestamp: 50, value: .infinity),
                      Point(timestamp: 60, value: -.infinity)]
        let buckets = try plot(points, grid: grid)
        #expect(buckets.count == 10)
        #expect(buckets[0] == Downsampler.Bucket(min: 1, max: 8, sum: 12, count: 3))
        #expect(buckets[0]?.average == 4)
        #expect(buckets[3] == Downsampler.Bucket(min: 4, max: 4, sum: 4, count: 1))
        // Outside the range, or not finite: left out, not clamped into an edge bucket.
        #expect(buckets.compactMap { $0 }.count == 2)
        #expect(buckets[5] == nil && buckets[6] == nil)
    }

    @Test func aOnePointSpikeSurvivesAsTheBucketMaximum() throws {
        var points = (0..<5760).map { Point(timestamp: Int64($0) * 15, value: 1) }
        points[3000].value = 500
        let grid = Downsampler.Grid(start: 0, end: 86_400, width: 300, minimumStep: 15)
        let buckets = try plot(points, grid: grid).compactMap { $0 }
        #expect(buckets.count <= 300)
        #expect(buckets.map(\.max).max() == 500)
        #expect(buckets.filter { $0.max == 500 }.count == 1)
        #expect(buckets.allSatisfy { $0.min == 1 })
        #expect(buckets.reduce(0) { $0 + $1.count } == 5760)
    }

    /// Nanoseconds to cores, and cgroup v1's "no limit" (2^63) dropped rather than plotted.
    @Test func linesAreScaledAndTheirNoLimitMarkersDropped() throws {
        let grid = Downsampler.Grid(start: 0, end: 30, width: 3, minimumStep: 10)
        let points = [Point(timestamp: 0, value: 2e9), Point(timestamp: 5, value: 4e9), Point(timestamp: 10, value: 9.2e18)]
        let buckets = try plot(points, grid: grid, scale: 1e-9, ceiling: 9e18)
        #expect(buckets == [Downsampler.Bucket(min: 2, max: 4, sum: 6, count: 2), nil, nil])
    }

    @Test func plotJSONAndCSVShareTheRows() {
        let grid = Downsampler.Grid(start: 0, end: 30, width: 3, minimumStep: 10)
        let data = PlotData(spec: PlotSpec(title: "t", unit: "u", lines: []), grid: grid, columns: [
            PlotData.Column(label: "a", buckets: [Downsampler.Bucket(min: 1, max: 2, sum: 3, count: 2), nil, nil]),
            PlotData.Column(label: "b,c", buckets: [nil, nil, Downsampler.Bucket(min: 0.25, max: 0.25, sum: 0.25, count: 1)]),
        ], omitted: 0)
        #expect(data.json() == #"{"title":"t","unit":"u","step":10,"omitted":0,"labels":["time","a","b,c"],"rows":[[0,[1,1.5,2],null],[20,null,[0.25,0.25,0.25]]]}"#)
        let csv = data.csv().components(separatedBy: "\r\n")
        #expect(csv[0] == #"timestamp,time_utc,a min,a avg,a max,"b,c min","b,c avg","b,c max""#)
        #expect(csv[1] == "0,1970-01-01T00:00:00Z,1,1.5,2,,,")
        #expect(csv[2] == "20,1970-01-01T00:00:20Z,,,,0.25,0.25,0.25")
        #expect(data.pointCount == 2)
    }

    @Test func distributionsAreOfferedUnderTheirOwnName() {
        let names = ["lat.count", "lat.sum", "lat.min", "lat.max", "lat.avg", "lat.p50", "lat.p75", "lat.p90", "lat.p95",
                     "lat.p99", "cpu.usage", "api.p50"]
        let choices = MetricsPage.choices(storedNames: names)
        #expect(choices == [.init(name: "api.p50", isDistribution: false), .init(name: "cpu.usage", isDistribution: false),
                            .init(name: "lat", isDistribution: true)])
        #expect(PlotSpec.metric("lat", tags: [], isDistribution: true).lines.map(\.metric) == ["lat.p50", "lat.p95", "lat.p99"])
    }
}
