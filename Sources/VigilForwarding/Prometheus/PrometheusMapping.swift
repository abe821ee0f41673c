import VigilModel

/// Turns flushes into typed Prometheus samples:
///
/// | Vigil | Prometheus |
/// |---|---|
/// | gauge | gauge, the value |
/// | rate (DogStatsD counts, check rates) | gauge, the per-second value |
/// | count (monotonic counts, counts with a timestamp) | counter `<name>_total`, the running sum of every flushed count since the agent started |
/// | histogram parts (`.avg`, `.max`, `.median`, `.95percentile`, `.count`) | a gauge each (names in reserved suffixes get `_value`) |
/// | distribution | summary: `<name>{quantile="0.5"|"0.75"|"0.9"|"0.95"|"0.99"}` for the flush interval, `<name>_sum` and `<name>_count` running totals |
///
/// Running totals make counters and summaries behave as Prometheus expects
/// (`rate()` and `increase()` work; an agent restart is a counter reset).
/// Totals of series not seen for `forgetAfter` seconds are dropped, so a
/// stopped container's counters do not stay in memory forever.
struct PrometheusMapping: Sendable {
    static let quantiles: [(q: Double, label: String)] = [(0.5, "0.5"), (0.75, "0.75"), (0.9, "0.9"), (0.95, "0.95"), (0.99, "0.99")]

    private struct Key: Hashable, Sendable {
        var name: String
        var host: String
        var tags: [String]
    }

    private struct Total: Sendable {
        var sum = 0.0
        var count = 0.0
        var seenAt: Int64 = 0
    }

    private var totals: [Key: Total] = [:]
    /// Sanitised names by source name and kind: names repeat across
    /// series, so each is worked out once (bounded: cleared when full).
    private var names: [String: (gauge: String, counter: String, family: String)] = [:]
    private static let namesLimit = 10_000
    private var lastPrune: Int64 = 0
    let forgetAfter: Int64
    /// Points left out because their value is not finite.
    private(set) var skippedPoints = 0

    init(forgetAfter: Int64 = 3600) { self.forgetAfter = forgetAfter }

    mutating func samples(_ batch: FlushBatch, now: Int64) -> [PrometheusSample] {
        var out: [PrometheusSample] = []
        out.reserveCapacity(batch.series.count + batch.sketches.count * 7)
        for series in batch.series { append(series, now: now, to: &out) }
        for sketch in batch.sketches { append(sketch, now: now, to: &out) }
        prune(now: now)
        return out
    }

    private mutating func append(_ series: Series, now: Int64, to out: inout [PrometheusSample]) {
        let labels = PrometheusNaming.labels(tags: series.tags, host: series.host)
        let points = Self.inTimeOrder(series.points)
        if series.type == .count {
            let name = names(series.name).counter
            let key = Key(name: name, host: series.host, tags: series.tags)
            var total = totals[key] ?? Total()
            total.seenAt = now
            for point in points {
                guard point.value.isFinite else { skippedPoints += 1; continue }
                total.sum += point.value
                out.append(PrometheusSample(family: name, type: .counter, source: series.name, name: name, labels: labels,
                                            value: total.sum, timestampMilliseconds: point.timestamp * 1000))
            }
            totals[key] = total
            return
        }
        let name = names(series.name).gauge
        for point in points {
            guard point.value.isFinite else { skippedPoints += 1; continue }
            out.append(PrometheusSample(family: name, type: .gauge, source: series.name, name: name, labels: labels,
                                        value: point.value, timestampMilliseconds: point.timestamp * 1000))
        }
    }

    private mutating func append(_ sketch: SketchSeries, now: Int64, to out: inout [PrometheusSample]) {
        let family = names(sketch.name).family
        let labels = PrometheusNaming.labels(tags: sketch.tags, host: sketch.host)
        let key = Key(name: family, host: sketch.host, tags: sketch.tags)
        var total = totals[key] ?? Total()
        total.seenAt = now
        // The label sets of the quantile series, made once per sketch, not per point.
        let at = labels.firstIndex { "quantile" < $0.name } ?? labels.count
        let quantileLabels = Self.quantiles.map { quantile in
            var set = labels
            set.insert(("quantile", quantile.label), at: at)
            return set
        }
        for point in sketch.points.sorted(by: { $0.timestamp < $1.timestamp }) where point.count > 0 {
            let ms = point.timestamp * 1000
            for (index, quantile) in Self.quantiles.enumerated() {
                let value = point.quantile(quantile.q)
                guard value.isFinite else { continue }
                out.append(PrometheusSample(family: family, type: .summary, source: sketch.name, name: family, labels: quantileLabels[index],
                                            value: value, timestampMilliseconds: ms))
            }
            if point.sum.isFinite { total.sum += point.sum }
            total.count += Double(point.count)
            out.append(PrometheusSample(family: family, type: .summary, source: sketch.name, name: family + "_sum", labels: labels,
                                        value: total.sum, timestampMilliseconds: ms))
            out.append(PrometheusSample(family: family, type: .summary, source: sketch.name, name: family + "_count", labels: labels,
                                        value: total.count, timestampMilliseconds: ms))
        }
        totals[key] = total
    }

    private mutating func names(_ source: String) -> (gauge: String, counter: String, family: String) {
        if let known = names[source] { return known }
        if names.count >= Self.namesLimit { names.removeAll(keepingCapacity: true) }
        let made = (PrometheusNaming.gaugeName(source), PrometheusNaming.counterName(source), PrometheusNaming.metricName(source))
        names[source] = made
        return made
    }

    /// Points usually arrive in order already: sort only when they do not.
    private static func inTimeOrder(_ points: [Point]) -> [Point] {
        for i in points.indices.dropFirst() where points[i].timestamp < points[i - 1].timestamp {
            return points.sorted { $0.timestamp < $1.timestamp }
        }
        return points
    }

    /// Walks every total: once a minute, not per flush.
    private mutating func prune(now: Int64) {
        guard now - lastPrune >= 60 || now < lastPrune else { return }
        lastPrune = now
        totals = totals.filter { now - $0.value.seenAt <= forgetAfter }
    }
}
