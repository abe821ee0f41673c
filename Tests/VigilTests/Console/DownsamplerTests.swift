import Testing
import VigilModel
@testable import VigilConsole

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

    @Test func eachBucketKeepsMinAverageAndMax() {
        let grid = Downsampler.Grid(start: 0, end: 100, width: 10, minimumStep: 1)
        #expect(grid.step == 10)
        let points = [Point(timestamp: 0, value: 1), Point(timestamp: 5, value: 3), Point(timestamp: 9, value: 8),
                      Point(timestamp: 35, value: 4), Point(timestamp: 100, value: 99), Point(timestamp: -1, value: 99),
                      Point(timestamp: 50, value: .nan)]
        let buckets = Downsampler.buckets(points, grid: grid)
        #expect(buckets.count == 10)
        #expect(buckets[0] == Downsampler.Bucket(min: 1, max: 8, sum: 12, count: 3))
        #expect(buckets[0]?.average == 4)
        #expect(buckets[3] == Downsampler.Bucket(min: 4, max: 4, sum: 4, count: 1))
        // Outside the range, or not a number: left out, not clamped into an edge bucket.
        #expect(buckets.compactMap { $0 }.count == 2)
        #expect(buckets[5] == nil)
    }

    @Test func aOnePointSpikeSurvivesAsTheBucketMaximum() {
        var points = (0..<5760).map { Point(timestamp: Int64($0) * 15, value: 1) }
        points[3000].value = 500
        let grid = Downsampler.Grid(start: 0, end: 86_400, width: 300, minimumStep: 15)
        let buckets = Downsampler.buckets(points, grid: grid).compactMap { $0 }
        #expect(buckets.count <= 300)
        #expect(buckets.map(\.max).max() == 500)
        #expect(buckets.filter { $0.max == 500 }.count == 1)
        #expect(buckets.allSatisfy { $0.min == 1 })
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
