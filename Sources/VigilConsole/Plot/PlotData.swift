import Foundation
import VigilForwarding
import VigilModel

/// A plot's data read from the local store and reduced to its grid: one
/// column per stored series, one row per bucket that has a point.
public struct PlotData: Sendable {
    public struct Column: Sendable {
        public var label: String
        public var buckets: [Downsampler.Bucket?]
    }

    /// More lines than this make an unreadable plot and a heavy answer.
    public static let maxColumns = 24

    public var spec: PlotSpec
    public var grid: Downsampler.Grid
    public var columns: [Column]
    /// Series that matched but were left out (beyond maxColumns).
    public var omitted: Int

    /// Reads every line of `spec` over `[end − range, end)`.
    public static func read(_ spec: PlotSpec, store: LocalStoreQuery, end: Int64, range: Int64, width: Int,
                            minimumStep: Int64) throws -> PlotData {
        let grid = Downsampler.Grid(start: end - range, end: end, width: width, minimumStep: minimumStep)
        var columns: [Column] = []
        var omitted = 0
        for line in spec.lines {
            // Bucketed in SQLite: a 24 h plot reads one row per pixel, not every stored point.
            let results = try store.buckets(metric: line.metric, tags: line.tags, start: grid.start, step: grid.step,
                                            count: grid.count, ceiling: line.ceiling)
            for result in results {
                guard columns.count < maxColumns else {
                    omitted += 1
                    continue
                }
                var buckets = [Downsampler.Bucket?](repeating: nil, count: grid.count)
                for stored in result.buckets where stored.index < grid.count {
                    // A scale turns min and max around only when it is negative.
                    let (low, high) = line.scale < 0 ? (stored.max, stored.min) : (stored.min, stored.max)
                    buckets[stored.index] = Downsampler.Bucket(min: low * line.scale, max: high * line.scale,
                                                               sum: stored.sum * line.scale, count: stored.count)
                }
                let extra = results.count > 1 ? " " + distinguishingTags(result.tags, among: results.map(\.tags)) : ""
                columns.append(Column(label: line.label + extra, buckets: buckets))
            }
        }
        return PlotData(spec: spec, grid: grid, columns: columns, omitted: omitted)
    }

    /// The tags that tell one series from its siblings (`{env:a}`), not the ones they share.
    static func distinguishingTags(_ tags: [String], among all: [[String]]) -> String {
        let shared = all.dropFirst().reduce(Set(all.first ?? [])) { $0.intersection($1) }
        let own = tags.filter { !shared.contains($0) }
        return "{" + own.joined(separator: ",") + "}"
    }

    /// Buckets that hold a point in at least one column.
    public var pointCount: Int { columns.reduce(0) { $0 + $1.buckets.lazy.compactMap { $0 }.count } }

    /// `{"title","unit","step","labels":["time",…],"rows":[[t,[min,avg,max]|null,…],…],"omitted"}`:
    /// dygraphs' customBars shape, times in unix seconds.
    public func json() -> String {
        var out = "{\"title\":" + Self.quoted(spec.title) + ",\"unit\":" + Self.quoted(spec.unit)
        out += ",\"step\":\(grid.step),\"omitted\":\(omitted),\"labels\":["
        out += (["time"] + columns.map(\.label)).map(Self.quoted).joined(separator: ",")
        out += "],\"rows\":["
        var first = true
        for i in 0..<grid.count where columns.contains(where: { $0.buckets[i] != nil }) {
            if !first { out += "," }
            first = false
            out += "[\(grid.time(ofBucket: i))"
            for column in columns {
                if let b = column.buckets[i] {
                    out += ",[" + Self.number(b.min) + "," + Self.number(b.average) + "," + Self.number(b.max) + "]"
                } else {
                    out += ",null"
                }
            }
            out += "]"
        }
        return out + "]}"
    }

    /// The same rows as CSV: time, then min, avg and max of each column.
    public func csv() -> String {
        var header = ["timestamp", "time_utc"]
        for column in columns { header += ["min", "avg", "max"].map { "\(column.label) \($0)" } }
        var out = header.map(Self.csvField).joined(separator: ",") + "\r\n"
        for i in 0..<grid.count where columns.contains(where: { $0.buckets[i] != nil }) {
            let t = grid.time(ofBucket: i)
            var fields = [String(t), Self.utc(t)]
            for column in columns {
                if let b = column.buckets[i] {
                    fields += [Self.number(b.min), Self.number(b.average), Self.number(b.max)]
                } else {
                    fields += ["", "", ""]
                }
            }
            out += fields.joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// Four significant digits: what a plot can show, and a third of the bytes.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.4g", value)
    }

    static func quoted(_ text: String) -> String { JSONValue.string(text).serialized() }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func utc(_ t: Int64) -> String {
        var time = time_t(t)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
