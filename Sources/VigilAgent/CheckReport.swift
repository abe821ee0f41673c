import VigilModel

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

    /// A readable table for people.
    public var text: String {
        var out = ""
        if !batch.series.isEmpty {
            out += pad("METRIC", 40) + pad("TYPE", 8) + pad("VALUE", 16) + "TAGS\n"
            for s in batch.series {
                for p in s.points {
                    out += pad(s.name, 40) + pad(s.type.name, 8) + pad(format(p.value), 16) + s.tags.joined(separator: ",") + "\n"
                }
            }
        }
        if !batch.serviceChecks.isEmpty {
            out += "\nSERVICE CHECK" + String(repeating: " ", count: 27) + "STATUS  TAGS\n"
            for c in batch.serviceChecks {
                out += pad(c.name, 40) + pad(["OK", "WARNING", "CRITICAL", "UNKNOWN"][c.status.rawValue], 8)
                    + c.tags.joined(separator: ",") + (c.message.isEmpty ? "" : "  \"\(c.message)\"") + "\n"
            }
        }
        if !batch.events.isEmpty {
            out += "\nEVENTS\n"
            for e in batch.events { out += "  [\(e.alertType.rawValue)] \(e.title): \(e.text)\n" }
        }
        if !errors.isEmpty {
            out += "\nERRORS\n"
            for e in errors { out += "  \(e)\n" }
        }
        if out.isEmpty { out = "no metrics, service checks or events\n" }
        return out
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    private func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.6g", v)
    }
}

import Foundation
