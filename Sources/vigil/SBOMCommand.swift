import ArgumentParser
import Foundation
import SBOMScanner
import VigilConfig

/// `vigil sbom list|show|scan`: the bills of materials the agent keeps, and standalone scans.
struct SBOMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sbom", abstract: "Software bills of materials: list, show, or scan a folder or OCI archive.",
        subcommands: [SBOMList.self, SBOMShow.self, SBOMScan.self])
}

/// The sbom module's database under the agent's run_path, read as it is (no agent needed).
private func openDatabase(_ options: ConfigOption) throws -> SBOMDatabase {
    let config = try options.load()
    let path = config.runPath + "/sbom.db"
    guard FileManager.default.fileExists(atPath: path) else {
        sayError("vigil: no bills of materials yet: \(path) does not exist (is the sbom module enabled?)\n")
        throw ExitCode(1)
    }
    return try SBOMDatabase(path: path)
}

struct SBOMList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every image's and the host's scan.")

    @OptionGroup var options: ConfigOption
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let records = try openDatabase(options).records()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            say(String(decoding: try encoder.encode(records), as: UTF8.self))
            return
        }
        var rows = [["SUBJECT", "REFERENCES", "STATUS", "PACKAGES", "LAYERS READ", "FROM CACHE", "LAST SCAN", "DURATION"]]
        for record in records {
            let subject = record.subject.kind == .image ? String(record.subject.id.prefix(19)) : record.subject.kind.rawValue
            let references = record.subject.kind == .image
                ? (record.subject.repoTags.isEmpty ? record.subject.name : record.subject.repoTags.joined(separator: ","))
                : record.subject.name
            let status = record.status == "failed" ? "failed: \(record.error.prefix(60))" : record.status
            rows.append([subject, references, status, "\(record.packageCount)", "\(record.layersRead)",
                         "\(record.layerCacheHits)", timestamp(record.generatedAt),
                         "\(record.durationMilliseconds) ms"])
        }
        say(table(rows))
    }
}

struct SBOMShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "One bill of materials: an image (id, id prefix or reference) or \"host\".")

    @OptionGroup var options: ConfigOption
    @Argument(help: "An image id, a prefix of one, a reference, or host.") var subject: String
    @Option(help: "cyclonedx-json or table.") var format = "table"

    func run() async throws {
        guard let (_, document) = try openDatabase(options).document(for: subject) else {
            sayError("vigil: no bill of materials for \(subject) (see vigil sbom list)\n")
            throw ExitCode(1)
        }
        try print(document: document, format: format)
    }
}

struct SBOMScan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan", abstract: "Scan a folder or an OCI image archive now, without an agent (like syft dir:PATH).")

    @Argument(help: "A folder, or an OCI image archive (.tar).") var path: String
    @Option(help: "cyclonedx-json or table.") var format = "table"
    @Option(help: "A SQLite file caching each layer's inventory by diff id (created if absent); an image's cached layers are not read again.")
    var cache: String?

    func run() async throws {
        guard ["table", "cyclonedx-json"].contains(format) else {
            sayError("vigil: --format must be cyclonedx-json or table, got \(format)\n")
            throw ExitCode(64)
        }
        let bar = ProgressLine(enabled: isatty(2) != 0)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            sayError("vigil: \(path) does not exist\n")
            throw ExitCode(1)
        }
        let bom: BillOfMaterials
        do {
            if isFolder.boolValue {
                var scanner = FolderScanner(root: path)
                scanner.progress = { files in bar.show("files \(files)") }
                let inventory = try scanner.scan()
                bom = BillOfMaterials(subject: BOMSubject(kind: .folder, id: path, name: path),
                                      view: LayerStack.squash([inventory]))
            } else {
                let archive = try OCIArchive(path: path)
                let (layout, names) = try await archive.layout()
                var scanner = ImageScanner(cache: try cache.map { try SBOMDatabase(path: $0) })
                scanner.progress = { done, total, files in bar.show("layers \(done)/\(total)  files \(files)") }
                let result = try await scanner.scan(layers: layout.layers, diffIDs: layout.diffIDs, from: archive)
                bom = BillOfMaterials(
                    subject: BOMSubject(kind: .image, id: layout.configDigest, name: names.first ?? path, repoTags: names),
                    view: LayerStack.squash(result.inventories))
            }
        } catch {
            bar.clear()
            sayError("vigil: \(error)\n")
            throw ExitCode(1)
        }
        bar.clear()
        try print(document: CycloneDX.document(bom), format: format)
    }
}

private func print(document: [UInt8], format: String) throws {
    switch format {
    case "cyclonedx-json":
        FileHandle.standardOutput.write(Data(document))
        FileHandle.standardOutput.write(Data("\n".utf8))
    case "table":
        struct Document: Decodable {
            var components: [Component]?
            struct Component: Decodable {
                var name: String
                var version: String?
                var type: String
                var properties: [Property]?
            }
            struct Property: Decodable { var name: String; var value: String }
        }
        let parsed = try JSONDecoder().decode(Document.self, from: Data(document))
        var rows = [["NAME", "VERSION", "TYPE"]]
        for component in parsed.components ?? [] where component.type == "library" {
            let type = component.properties?.first { $0.name == "vigil:package:type" }?.value ?? component.type
            rows.append([component.name, component.version ?? "", type])
        }
        say(table(rows))
    default:
        sayError("vigil: --format must be cyclonedx-json or table, got \(format)\n")
        throw ExitCode(64)
    }
}

private func table(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    let widths = first.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}

private func timestamp(_ nanoseconds: Int64) -> String {
    guard nanoseconds > 0 else { return "-" }
    let formatter = ISO8601DateFormatter()
    return formatter.string(from: Date(timeIntervalSince1970: Double(nanoseconds) / 1e9))
}

/// One line on stderr redrawn in place, at most ten times a second; nothing when stderr is not a terminal.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var last = Date.distantPast
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ text: String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        guard Date().timeIntervalSince(last) >= 0.1 else { return }
        last = Date()
        shown = true
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
    }

    func clear() {
        guard enabled, shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
