import VigilModel

/// Distributions as plain series for destinations that cannot hold a
/// sketch (the local store, Prometheus text): `.count`, `.sum`, `.min`,
/// `.max` and `.avg` per point, named as Datadog shows them.
enum SketchSummary {
    static func series(_ sketches: [SketchSeries]) -> [Series] {
        var out: [Series] = []
        for sketch in sketches where !sketch.points.isEmpty {
            let parts: [(String, SeriesType, (SketchPoint) -> Double)] = [
                ("count", .count, { Double($0.count) }), ("sum", .gauge, { $0.sum }),
                ("min", .gauge, { $0.min }), ("max", .gauge, { $0.max }), ("avg", .gauge, { $0.average }),
            ]
            for (suffix, type, value) in parts {
                out.append(Series(name: sketch.name + "." + suffix, type: type,
                                  points: sketch.points.map { Point(timestamp: $0.timestamp, value: value($0)) },
                                  tags: sketch.tags, host: sketch.host, interval: sketch.interval))
            }
        }
        return out
    }
}
