import VigilModel

enum VigilModelJSON {
    static func error(_ message: String) -> String { JSONValue.object([("error", .string(message))]).serialized() }
}
