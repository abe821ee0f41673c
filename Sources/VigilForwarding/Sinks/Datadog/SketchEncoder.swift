import VigilModel

/// Items of the sketch intake (`/api/beta/sketches`): each item is one
/// `SketchPayload.sketches` field (number 1) holding a `Sketch` with
/// `metric` (1), `host` (2), `tags` (4) and `dogsketches` (7), as in
/// Datadog's public agent-payload proto. A run of such fields is itself a
/// valid `SketchPayload`.
enum SketchEncoder {
    static func items(_ sketches: [SketchSeries]) -> [[UInt8]] {
        sketches.map { series in
            var sketch = ProtobufWriter()
            sketch.string(1, series.name)
            sketch.string(2, series.host)
            for tag in series.tags { sketch.bytesField(4, Array(tag.utf8)) }
            for point in series.points {
                var dog = ProtobufWriter()
                dog.int64(1, point.timestamp)
                dog.int64(2, point.count)
                dog.double(3, point.min)
                dog.double(4, point.max)
                dog.double(5, point.average)
                dog.double(6, point.sum)
                dog.packedSInt32(7, point.keys)
                dog.packedUInt32(8, point.binCounts)
                sketch.bytesField(7, dog.bytes)
            }
            var field = ProtobufWriter()
            field.bytesField(1, sketch.bytes)
            return field.bytes
        }
    }
}
