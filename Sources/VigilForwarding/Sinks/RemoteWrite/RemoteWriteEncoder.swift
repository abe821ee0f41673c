/// Remote write 1.0's `WriteRequest` (prompb): each item is one
/// `timeseries` field (number 1) holding a `TimeSeries` with `labels` (1:
/// `Label{name=1, value=2}`, sorted by name, `__name__` included) and
/// `samples` (2: `Sample{value=1 double, timestamp=2 int64 ms}`, in
/// timestamp order). A run of such fields is itself a valid WriteRequest,
/// so the shared request builder can pack and split them.
enum RemoteWriteEncoder {
    /// The mapping emits a series' samples next to each other, already in
    /// time order: each run of samples with one name and label set becomes
    /// one TimeSeries.
    static func items(_ samples: [PrometheusSample]) -> [[UInt8]] {
        var items: [[UInt8]] = []
        items.reserveCapacity(samples.count)
        var start = 0
        while start < samples.count {
            var end = start + 1
            while end < samples.count, samples[end].name == samples[start].name,
                  samples[end].labels.elementsEqual(samples[start].labels, by: { $0 == $1 }) {
                end += 1
            }
            items.append(item(samples[start..<end]))
            start = end
        }
        return items
    }

    private static func item(_ run: ArraySlice<PrometheusSample>) -> [UInt8] {
        let first = run[run.startIndex]
        var timeSeries = ProtobufWriter()
        var nameWritten = false
        func label(_ name: String, _ value: String) {
            var field = ProtobufWriter()
            field.string(1, name)
            field.string(2, value)
            timeSeries.bytesField(1, field.bytes)
        }
        // Labels are sorted; `__name__` goes where it sorts among them.
        for pair in first.labels {
            if !nameWritten, "__name__" < pair.name {
                label("__name__", first.name)
                nameWritten = true
            }
            label(pair.name, pair.value)
        }
        if !nameWritten { label("__name__", first.name) }
        for sample in run {
            var field = ProtobufWriter()
            field.double(1, sample.value)
            field.int64(2, sample.timestampMilliseconds)
            timeSeries.bytesField(2, field.bytes)
        }
        var item = ProtobufWriter()
        item.bytesField(1, timeSeries.bytes)
        return item.bytes
    }
}
