import VigilAggregation
import VigilModel

/// Distributions as plain series for destinations that cannot hold a
/// sketch (the local store, Prometheus text): `.count`, `.sum`, `.min`,
/// `.max`, `.avg` and the percentiles Datadog offers on a distribution
/// (`.p50`, `.p75`, `.p90`, `.p95`, `.p99`), estimated from the sketch's bins.
enum SketchSummary {
    static let percentiles: [(suffix: String, q: Double)] = [
        ("p50", 0.50), ("p75", 0.75), ("p90", 0.90), ("p95", 0.95), ("p99", 0.99),
    ]

    static func series(_ sketches: [SketchSeries]) -> [Series] {
        var out: [Series] = []
        for sketch in sketches where !sketch.points.isEmpty {
            var parts: [(String, SeriesType, (SketchPoint) -> Double)] = [
                ("count", .count, { Double($0.count) }), ("sum", .gauge, { $0.sum }),
                ("min", .gauge, { $0.min }), ("max", .gauge, { $0.max }), ("avg", .gauge, { $0.average }),
            ]
            for (suffix, q) in percentiles { parts.append((suffix, .gauge, { $0.quantile(q) })) }
            for (suffix, type, value) in parts {
                // A point without bins (nothing to estimate from) has no percentile.
                let points = sketch.points.compactMap { point -> Point? in
                    let v = value(point)
                    return v.isNaN ? nil : Point(timestamp: point.timestamp, value: v)
                }
                if points.isEmpty { continue }
                out.append(Series(name: sketch.name + "." + suffix, type: type, points: points,
                                  tags: sketch.tags, host: sketch.host, interval: sketch.interval))
            }
        }
        return out
    }
}
