import VigilModel

/// `vigil workload` for people: entities sorted by kind and id, times with
/// their age, sizes with units.
public enum WorkloadText {
    public static func render(_ listing: JSONValue, format: HumanFormat) -> String {
        guard case let .array(entities) = listing else { return listing.serialized(pretty: true) + "\n" }
        let sorted = entities.sorted { (text($0["kind"]), text($0["id"])) < (text($1["kind"]), text($1["id"])) }
        var out = ""
        for entity in sorted {
            out += "=== \(text(entity["kind"])) \(text(entity["id"]))\n"
            guard case let .object(fields) = entity else { continue }
            for (key, value) in fields where key != "kind" && key != "id" {
                // Pods and autoscalers carry flat attributes: one per line, sorted.
                if key == "attributes", case let .object(attributes) = value, !attributes.isEmpty {
                    out += "  attributes:\n"
                    for (name, attribute) in attributes.sorted(by: { $0.0 < $1.0 }) { out += "    \(name): \(text(attribute))\n" }
                    continue
                }
                out += "  \(key): \(format.field(key, value) ?? text(value))\n"
            }
        }
        return out + "\(entities.count) entities\n"
    }

    /// A field's value on one line: lists joined, maps as key=value, nothing as "-".
    public static func text(_ value: JSONValue?) -> String {
        switch value {
        case let .string(s)?: s.isEmpty ? "-" : s
        case let .array(items)?: items.isEmpty ? "-" : items.map { text($0) }.joined(separator: ", ")
        case let .object(fields)?: fields.isEmpty ? "-" : fields.map { "\($0.0)=\(text($0.1))" }.joined(separator: ", ")
        case nil, .null?: "-"
        case let v?: v.serialized()
        }
    }
}
