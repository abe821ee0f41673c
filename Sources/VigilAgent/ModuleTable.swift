import VigilModules
import VigilStatus

/// `vigil modules` for people: one row per module file, sorted by name, with a header.
public enum ModuleTable {
    public static func render(_ records: [ModuleRecord]) -> String {
        var table = TextTable(["NAME", "VERSION", "ABI", "KINDS", "STATUS", "DESCRIPTION", "PATH"])
        for r in records.sorted(by: { ($0.name ?? "~", $0.path) < ($1.name ?? "~", $1.path) }) {
            let status = switch r.status {
            case .loaded: "loaded"
            case let .refused(reason): "REFUSED: \(reason)"
            }
            table.add([r.name ?? "-", r.version ?? "-", r.abiMajor.map { "\($0).\(r.abiMinor ?? 0)" } ?? "-",
                       r.kinds.names.isEmpty ? "-" : r.kinds.names.joined(separator: ","), status, r.description ?? "-", r.path])
        }
        return table.render()
    }
}
