import VigilModel
import VigilStatus

/// The outcome of one-shot check runs, as `vigil check` prints it.
public struct CheckReport: Sendable {
    public var batch = FlushBatch()
    public var errors: [String] = []

    public var json: JSONValue {
        .object([
            ("metrics", .array(batch.series.map { s in
                .object([
                    ("metric", .string(s.name)),
                    ("type", .string(s.type.name)),
                    ("host", .string(s.host)),
                    ("tags", .array(s.tags.map { .string($0) })),
                    ("points", .array(s.points.map { .array([.int($0.timestamp), .double($0.value)]) })),
                ])
            })),
            ("service_checks", .array(batch.serviceChecks.map { c in
                .object([
                    ("check", .string(c.name)),
                    ("status", .int(Int64(c.status.rawValue))),
                    ("host", .string(c.host)),
                    ("tags", .array(c.tags.map { .string($0) })),
                    ("timestamp", .int(c.timestamp)),
                    ("message", .string(c.message)),
                ])
            })),
            ("events", .array(batch.events.map { e in
                .object([
                    ("title", .string(e.title)),
                    ("text", .string(e.text)),
                    ("host", .string(e.host)),
                    ("tags", .array(e.tags.map { .string($0) })),
                    ("timestamp", .int(e.timestamp)),
                    ("alert_type", .string(e.alertType.rawValue)),
                    ("priority", .string(e.priority.rawValue)),
                ])
            })),
            ("errors", .array(errors.map { .string($0) })),
        ])
    }

    /// Readable tables for people: series sorted by name and tags, one table per run when
    /// several runs reported at different times, numbers in plain notation with their unit.
    public func text(format: HumanFormat) -> String {
        var out = ""
        let runs = Dictionary(grouping: batch.series.flatMap { s in s.points.map { (series: s, point: $0) } },
                              by: \.point.timestamp)
        for (index, timestamp) in runs.keys.sorted().enumerated() {
            if runs.count > 1 { out += "\(index == 0 ? "" : "\n")RUN \(index + 1) at \(format.time(Double(timestamp)))\n" }
            var table = TextTable(["METRIC", "TYPE", "VALUE", "UNIT", "TAGS"])
            let rows = runs[timestamp, default: []].sorted {
                ($0.series.name, $0.series.tags.joined(separator: ",")) < ($1.series.name, $1.series.tags.joined(separator: ","))
            }
            for (series, point) in rows {
                table.add([series.name, series.type.name, format.number(point.value), MetricUnits.unit(of: series.name) ?? "-",
                           series.tags.joined(separator: ",")])
            }
            out += table.render()
        }
        if !batch.serviceChecks.isEmpty {
            var table = TextTable(["SERVICE CHECK", "STATUS", "TAGS", "MESSAGE"])
            for c in batch.serviceChecks.sorted(by: { $0.name < $1.name }) {
                table.add([c.name, ["OK", "WARNING", "CRITICAL", "UNKNOWN"][c.status.rawValue], c.tags.joined(separator: ","),
                           c.message])
            }
            out += (out.isEmpty ? "" : "\n") + table.render()
        }
        if !batch.events.isEmpty {
            out += (out.isEmpty ? "" : "\n") + "EVENTS\n"
            for e in batch.events { out += "  [\(e.alertType.rawValue)] \(e.title): \(e.text)\n" }
        }
        if !errors.isEmpty {
            out += (out.isEmpty ? "" : "\n") + "ERRORS\n"
            for e in errors { out += "  \(e)\n" }
        }
        if out.isEmpty { out = "no metrics, service checks or events\n" }
        return out
    }
}
