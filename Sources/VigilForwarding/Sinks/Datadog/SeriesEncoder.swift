import VigilModel

/// Items of Datadog's v2 series API: `metric`, `type` (0-3), `points` as
/// `{timestamp, value}`, `tags`, the host as a `resources` entry of type
/// `host`, `interval` for counts and rates.
enum SeriesEncoder {
    /// Points with a non-finite value are left out (JSON cannot carry them);
    /// a series left with no point is skipped. Returns the items and how many
    /// points were skipped.
    static func items(_ series: [Series]) -> (items: [[UInt8]], skippedPoints: Int) {
        var items: [[UInt8]] = []
        items.reserveCapacity(series.count)
        var skipped = 0
        for s in series {
            var json = JSONBytes(capacity: 128 + s.name.utf8.count + s.tags.count * 24 + s.points.count * 40)
            json.raw(#"{"metric":"#)
            json.string(s.name)
            json.raw(#","type":"#)
            json.int(Int64(s.type.rawValue))
            json.raw(#","points":["#)
            var written = 0
            for point in s.points {
                guard point.value.isFinite else { skipped += 1; continue }
                if written > 0 { json.raw(",") }
                json.raw(#"{"timestamp":"#)
                json.int(point.timestamp)
                json.raw(#","value":"#)
                json.double(point.value)
                json.raw("}")
                written += 1
            }
            guard written > 0 else { continue }
            json.raw(#"],"tags":"#)
            json.strings(s.tags)
            if !s.host.isEmpty {
                json.raw(#","resources":[{"name":"#)
                json.string(s.host)
                json.raw(#","type":"host"}]"#)
            }
            if s.interval > 0 {
                json.raw(#","interval":"#)
                json.int(s.interval)
            }
            if let source = s.sourceTypeName {
                json.raw(#","source_type_name":"#)
                json.string(source)
            }
            json.raw("}")
            items.append(json.bytes)
        }
        return (items, skipped)
    }
}
