import Testing
import VigilAggregation
import VigilModel
@testable import VigilForwarding

/// WriteRequest bodies decoded back with a protobuf reader written from
/// the prompb definitions, independent of the encoder.
@Suite struct RemoteWriteEncoderTests {
    struct DecodedSeries: Equatable {
        var labels: [String]
        var samples: [String]
    }

    static func decode(_ payload: Payload) throws -> [DecodedSeries] {
        #expect(payload.encoding == .snappy)
        var request = ProtobufReader(try payload.encoding.decompress(payload.body))
        var out: [DecodedSeries] = []
        while let (field, value) = request.next() {
            guard field == 1, case let .bytes(seriesBytes) = value else { Issue.record("unexpected field \(field)"); continue }
            var series = ProtobufReader(seriesBytes)
            var decoded = DecodedSeries(labels: [], samples: [])
            while let (f, v) = series.next() {
                guard case let .bytes(inner) = v else { continue }
                var reader = ProtobufReader(inner)
                var first = "", second = ""
                var number = 0.0
                var timestamp: Int64 = 0
                while let (k, w) = reader.next() {
                    switch (f, k, w) {
                    case (1, 1, .bytes(let b)): first = String(decoding: b, as: UTF8.self)
                    case (1, 2, .bytes(let b)): second = String(decoding: b, as: UTF8.self)
                    case (2, 1, .fixed64(let bits)): number = Double(bitPattern: bits)
                    case (2, 2, .varint(let t)): timestamp = Int64(bitPattern: t)
                    default: Issue.record("unexpected field \(f).\(k)")
                    }
                }
                if f == 1 { decoded.labels.append("\(first)=\(second)") } else { decoded.samples.append("\(timestamp)@\(number)") }
            }
            out.append(decoded)
        }
        return out
    }

    static func builder(seriesPerRequest: Int = 2000) -> PayloadBuilder {
        PayloadBuilder(lane: RemoteWriteSink.lane,
                       framing: PayloadFraming(prefix: "", separator: "", suffix: "", maxItems: seriesPerRequest),
                       limits: PayloadLimits(maxCompressed: 8 << 20, maxUncompressed: 32 << 20))
    }

    @Test func seriesCarrySortedLabelsAndTimeOrderedSamples() throws {
        var mapping = PrometheusMapping()
        let samples = mapping.samples(FlushBatch(series: [
            Series(name: "app.temp", type: .gauge, points: [Point(timestamp: 20, value: 2.5), Point(timestamp: 10, value: 0)],
                   tags: ["Zone:eu", "env:prod"], host: "node-1"),
            Series(name: "jobs", type: .count, points: [Point(timestamp: 10, value: 2)], tags: [], host: ""),
        ]), now: 100)
        let payload = try #require(try Self.builder().build(RemoteWriteEncoder.items(samples), encoding: .snappy).payloads.first)
        #expect(try Self.decode(payload) == [
            // "Zone" sorts before "__name__" (uppercase < underscore), "env" after.
            DecodedSeries(labels: ["Zone=eu", "__name__=app_temp", "env=prod", "host=node-1"], samples: ["10000@0.0", "20000@2.5"]),
            DecodedSeries(labels: ["__name__=jobs_total"], samples: ["10000@2.0"]),
        ])
    }

    @Test func distributionsBecomeQuantileSumAndCountSeries() throws {
        var sketch = DDSketch()
        for v in [1.0, 2, 3, 4] { sketch.insert(v) }
        var mapping = PrometheusMapping()
        let samples = mapping.samples(FlushBatch(sketches: [
            SketchSeries(name: "rpc.time", tags: ["svc:a"], host: "", interval: 10, points: [sketch.point(timestamp: 5)]),
        ]), now: 100)
        let decoded = try Self.decode(try #require(try Self.builder().build(RemoteWriteEncoder.items(samples), encoding: .snappy).payloads.first))
        #expect(decoded.map { $0.labels.joined(separator: ",") } == [
            "__name__=rpc_time,quantile=0.5,svc=a", "__name__=rpc_time,quantile=0.75,svc=a", "__name__=rpc_time,quantile=0.9,svc=a",
            "__name__=rpc_time,quantile=0.95,svc=a", "__name__=rpc_time,quantile=0.99,svc=a",
            "__name__=rpc_time_sum,svc=a", "__name__=rpc_time_count,svc=a",
        ])
        #expect(decoded[5].samples == ["5000@10.0"])
        #expect(decoded[6].samples == ["5000@4.0"])
    }

    @Test func requestsHoldAtMostTheConfiguredSeriesAndSplitWhole() throws {
        var mapping = PrometheusMapping()
        let samples = mapping.samples(FlushBatch(series: (0..<25).map {
            Series(name: "m", type: .gauge, points: [Point(timestamp: 1, value: Double($0))], tags: ["i:\($0)"], host: "")
        }), now: 1)
        let builder = Self.builder(seriesPerRequest: 10)
        let payloads = try builder.build(RemoteWriteEncoder.items(samples), encoding: .snappy).payloads
        #expect(payloads.map(\.itemCount) == [10, 10, 5])
        let halves = try #require(try builder.split(payloads[0]))
        #expect(try halves.flatMap(Self.decode) == Self.decode(payloads[0]))
    }

    @Test func nonFiniteValuesAreLeftOutAndCounted() {
        var mapping = PrometheusMapping()
        let samples = mapping.samples(FlushBatch(series: [
            Series(name: "x", type: .gauge, points: [Point(timestamp: 1, value: .nan), Point(timestamp: 2, value: 1)], tags: [], host: ""),
        ]), now: 1)
        #expect(samples.map(\.value) == [1])
        #expect(mapping.skippedPoints == 1)
    }
}
