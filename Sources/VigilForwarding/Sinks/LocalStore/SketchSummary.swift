
import VigilModel

/// Distributions as plain series for destinations that cannot hold a
/// sketch (the local store, Prometheus text): `.count`, `.sum`, `.min`,
/// `.max`, `.avg` and the percentiles Datadog offers on a distribution
/// (`.p50`, `.p75`, `.p90`, `.p95`, `.p99`), estimated from the sketch's bins.
enum SketchSummary {
    private enum Statistic {
        case count, sum, min, max, average
        case quantile(Double)

        func value(of point: SketchPoint) -> Double {
            switch self {
            case .count: Double(point.count)
            case .sum: point.sum
            case .min: point.min
            case .max: point.max
            case .average: point.average
            case let .quantile(q): point.quantile(q)
            }
        }
    }

    private static let parts: [(suffix: String, type: SeriesType, statistic: Statistic)] = [
        ("count", .count, .count), ("sum", .gauge, .sum), ("min", .gauge, .min), ("max", .gauge, .max),
        ("avg", .gauge, .average), ("p50", .gauge, .quantile(0.50)), ("p75", .gauge, .quantile(0.75)),
        ("p90", .gauge, .quantile(0.90)), ("p95", .gauge, .quantile(0.95)), ("p99", .gauge, .quantile(0.99)),
    ]

    static func series(_ sketches: [SketchSeries]) -> [Series] {
        var out: [Series] = []
        for sketch in sketches where !sketch.points.isEmpty {
            for (suffix, type, statistic) in parts {
                // A point without bins (nothing to estimate from) has no percentile.
                let points = sketch.points.compactMap { point -> Point? in
                    let v = statistic.value(of: point)
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
