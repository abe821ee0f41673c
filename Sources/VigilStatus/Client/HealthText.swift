import VigilModel

/// A health answer for people: the verdict, then one row per component.
public enum HealthText {
    public static func render(_ body: JSONValue) -> String {
        func text(_ value: JSONValue?) -> String {
            if case let .string(s)? = value { return s }
            return ""
        }
        var out = (text(body["status"]) == "ok" ? "healthy" : "UNHEALTHY") + "\n"
        if case let .array(waiting)? = body["waiting_for"], !waiting.isEmpty {
            out += "waiting for: " + waiting.map { text($0) }.joined(separator: ", ") + "\n"
        }
        var table = TextTable(["COMPONENT", "ROLE", "STATE", "DETAIL"])
        if case let .array(components)? = body["components"] {
            for c in components {
                table.add([text(c["name"]), text(c["role"]), text(c["state"]) == "ok" ? "ok" : "FAILING", text(c["detail"])])
            }
        }
        return out + table.render()
    }
}
