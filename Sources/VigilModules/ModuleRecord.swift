import CVigilModule
import VigilModel

/// What the loader found in one module file: loaded, or refused and why.
public struct ModuleRecord: Sendable {
    public enum Status: Sendable, Equatable {
        case loaded
        case refused(String)
    }

    public var path: String
    public var name: String?
    public var version: String?
    public var abiMajor: Int?
    public var abiMinor: Int?
    public var kinds: ModuleKinds
    public var description: String?
    public var status: Status

    public var isLoaded: Bool { status == .loaded }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("path", .string(path)),
            ("name", name.map { .string($0) } ?? .null),
            ("version", version.map { .string($0) } ?? .null),
            ("abi", abiMajor.map { .string("\($0).\(abiMinor ?? 0)") } ?? .null),
            ("kinds", .array(kinds.names.map { .string($0) })),
        ]
        switch status {
        case .loaded: fields.append(("status", "loaded"))
        case let .refused(reason):
            fields.append(("status", "refused"))
            fields.append(("reason", .string(reason)))
        }
        return .object(fields)
    }
}

/// The VIGIL_MODULE_KIND_* bits a module declares.
public struct ModuleKinds: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let check = ModuleKinds(rawValue: VIGIL_MODULE_KIND_CHECK)
    public static let collector = ModuleKinds(rawValue: VIGIL_MODULE_KIND_COLLECTOR)
    public static let subscriber = ModuleKinds(rawValue: VIGIL_MODULE_KIND_SUBSCRIBER)

    public var names: [String] {
        var out: [String] = []
        if contains(.check) { out.append("check") }
        if contains(.collector) { out.append("collector") }
        if contains(.subscriber) { out.append("subscriber") }
        return out
    }
}
