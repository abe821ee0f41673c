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

    /// Sizes first, then one buffer written front to back: no nested
    /// messages built and copied.
    private static func item(_ run: ArraySlice<PrometheusSample>) -> [UInt8] {
        let first = run[run.startIndex]
        // `__name__` goes where it sorts among the (sorted) labels.
        var labels = first.labels
        let at = labels.firstIndex { "__name__" < $0.name } ?? labels.count
        labels.insert(("__name__", first.name), at: at)

        var seriesSize = 0
        for label in labels { seriesSize += fieldSize(labelSize(label)) }
        for sample in run { seriesSize += fieldSize(sampleSize(sample)) }

        var out = ProtobufWriter(capacity: fieldSize(seriesSize))
        out.key(1, .lengthDelimited)
        out.varint(UInt64(seriesSize))
        for label in labels {
            out.key(1, .lengthDelimited)
            out.varint(UInt64(labelSize(label)))
            out.string(1, label.name)
            out.string(2, label.value)
        }
        for sample in run {
            out.key(2, .lengthDelimited)
            out.varint(UInt64(sampleSize(sample)))
            out.double(1, sample.value)
            out.int64(2, sample.timestampMilliseconds)
        }
        return out.bytes
    }

    private static func labelSize(_ label: (name: String, value: String)) -> Int {
        stringFieldSize(label.name.utf8.count) + stringFieldSize(label.value.utf8.count)
    }

    /// proto3 leaves zero scalars out, as ProtobufWriter does.
    private static func sampleSize(_ sample: PrometheusSample) -> Int {
        (sample.value == 0 ? 0 : 9)
            + (sample.timestampMilliseconds == 0 ? 0 : 1 + ProtobufWriter.varintSize(UInt64(bitPattern: sample.timestampMilliseconds)))
    }

    private static func stringFieldSize(_ length: Int) -> Int { length == 0 ? 0 : fieldSize(length) }

    /// A length-delimited field with a one-byte key.
    private static func fieldSize(_ length: Int) -> Int { 1 + ProtobufWriter.varintSize(UInt64(length)) + length }
}
