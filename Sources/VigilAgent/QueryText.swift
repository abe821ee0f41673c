import VigilForwarding
import VigilModel
import VigilStatus

/// `vigil query` for people: each series with its unit and points at local
/// times, or (`--list`) the stored metrics with their tag keys and counts.
public enum QueryText {
    public static func render(_ results: [LocalStoreQuery.Result], format: HumanFormat) -> String {
        var out = ""
        for result in results {
            let labels = (result.host.isEmpty ? [] : ["host:\(result.host)"]) + result.tags
            let unit = MetricUnits.unit(of: result.metric).map { " (\($0))" } ?? ""
            out += "\(result.metric) {\(labels.joined(separator: ", "))} \(result.type)\(unit)\n"
            for point in result.points {
                out += "  \(format.time(Double(point.timestamp)))  \(format.number(point.value))\n"
            }
        }
        return out
    }

    public static func render(_ metrics: [LocalStoreQuery.MetricSummary]) -> String {
        var table = TextTable(["METRIC", "UNIT", "SERIES", "POINTS", "TAG KEYS"])
        for m in metrics {
            table.add([m.metric, MetricUnits.unit(of: m.metric) ?? "-", String(m.series), String(m.points),
                       m.tagKeys.isEmpty ? "-" : m.tagKeys.joined(separator: ",")])
        }
        return table.render() + "\(metrics.count) metrics\n"
    }
}
