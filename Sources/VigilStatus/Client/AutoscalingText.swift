import VigilModel

/// `vigil autoscaling`: each DatadogPodAutoscaler with the local
/// recommendation the autoscaling module keeps on its entity
/// (`recommendation:*` attributes), from a `/workload?kind=autoscaler` listing.
public enum AutoscalingText {
    struct Row {
        var id: String
        var target: String
        var objective: String
        var current: String?
        var replicas: String?
        var utilization: String?
        var reason: String?
        /// container → (cpu cores, memory bytes)
        var requests: [(String, String?, String?)]
    }

    static func rows(_ listing: JSONValue) -> [Row] {
        guard case let .array(entities) = listing else { return [] }
        return entities.compactMap { entity -> Row? in
            guard entity["kind"] == .string("autoscaler"), case let .string(id)? = entity["id"],
                  case let .object(fields)? = entity["attributes"] else { return nil }
            var a: [String: String] = [:]
            for (key, value) in fields { if case let .string(s) = value { a[key] = s } }
            var objectives: [String] = []
            var index = 0
            while let type = a["objective:\(index):type"] {
                let resource = a["objective:\(index):resource"] ?? "?"
                let container = a["objective:\(index):container"].map { " (\($0))" } ?? ""
                let utilization = a["objective:\(index):utilization"].map { " \($0)%" } ?? ""
                objectives.append(type == "ContainerResource" ? "\(resource)\(container)\(utilization)" : "\(resource)\(utilization)")
                index += 1
            }
            var containers = Set<String>()
            for key in a.keys where key.hasPrefix("recommendation:") && (key.hasSuffix(":cpu_request") || key.hasSuffix(":memory_request")) {
                let parts = key.split(separator: ":")
                if parts.count == 3 { containers.insert(String(parts[1])) }
            }
            return Row(
                id: id, target: "\(a["target_kind"] ?? "?")/\(a["target_name"] ?? "?")",
                objective: objectives.isEmpty ? "-" : objectives.joined(separator: ", "),
                current: a["recommendation:current_replicas"], replicas: a["recommendation:replicas"],
                utilization: a["recommendation:utilization"], reason: a["recommendation:reason"],
                requests: containers.sorted().map { ($0, a["recommendation:\($0):cpu_request"], a["recommendation:\($0):memory_request"]) })
        }.sorted { $0.id < $1.id }
    }

    public static func render(_ listing: JSONValue) -> String {
        let rows = rows(listing)
        guard !rows.isEmpty else { return "no DatadogPodAutoscaler known\n" }
        var table = TextTable(["AUTOSCALER", "TARGET", "OBJECTIVE", "PODS HERE", "RECOMMENDED", "UTILIZATION", "REASON", "REQUESTS (p95)"])
        for row in rows {
            let requests = row.requests.map { name, cpu, memory in
                "\(name): cpu \(cpu ?? "-"), memory \(memory.flatMap { Double($0) }.map { HumanFormat(now: 0).size($0) } ?? "-")"
            }.joined(separator: "; ")
            table.add([row.id, row.target, row.objective, row.current ?? "-", row.replicas ?? "-",
                       row.utilization.map { "\($0)%" } ?? "-", row.reason ?? "-", requests.isEmpty ? "-" : requests])
        }
        return table.render()
    }

    public static func json(_ listing: JSONValue) -> JSONValue {
        .array(rows(listing).map { row in
            .object([
                ("autoscaler", .string(row.id)), ("target", .string(row.target)), ("objective", .string(row.objective)),
                ("current_replicas", row.current.flatMap { Int64($0) }.map { .int($0) } ?? .null),
                ("recommended_replicas", row.replicas.flatMap { Int64($0) }.map { .int($0) } ?? .null),
                ("utilization_percent", row.utilization.flatMap { Double($0) }.map { .double($0) } ?? .null),
                ("reason", row.reason.map { .string($0) } ?? .null),
                ("containers", .object(row.requests.map { name, cpu, memory in
                    (name, .object([("cpu_request", cpu.flatMap { Double($0) }.map { .double($0) } ?? .null),
                                    ("memory_request", memory.flatMap { Double($0) }.map { .double($0) } ?? .null)]))
                })),
            ])
        })
    }
}
