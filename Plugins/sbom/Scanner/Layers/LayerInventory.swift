/// What one layer (or one folder) holds that matters to a bill of materials: the findings of
/// each cataloged file, and the paths the layer deletes from the layers below it. It is what
/// the layer cache keeps per diff id, so a layer shared by many images is read once.
public struct LayerInventory: Codable, Sendable, Hashable {
    public var diffID: String
    /// Cataloged files by path, findings possibly empty: an empty entry still hides a lower layer's file.
    public var files: [String: FileFindings] = [:]
    /// Paths this layer deletes (`.wh.<name>`), with everything beneath them.
    public var whiteouts: [String] = []
    /// Folders this layer makes opaque (`.wh..wh..opq`): nothing beneath them from lower layers stays.
    public var opaqueFolders: [String] = []
    public var fileCount = 0
    /// Cataloged files over their size limit, left unread.
    public var skippedFiles: [String] = []

    public init(diffID: String) { self.diffID = diffID }

    public var packageCount: Int { files.values.reduce(0) { $0 + $1.packages.count } }
}

/// Builds a layer's inventory from its tar stream, holding in memory only the cataloged
/// file being read (and, for executables, at most the Go build information).
public final class LayerInventoryBuilder: TarConsumer {
    public private(set) var inventory: LayerInventory
    private var current: (entry: TarEntry, kind: CatalogedFile)?
    private var buffer: [UInt8] = []
    private var goScanner: GoBuildInfoScanner?
    /// Called after each member with the number of members so far (progress bars).
    public var progress: ((Int) -> Void)?

    public init(diffID: String) { inventory = LayerInventory(diffID: diffID) }

    public func begin(_ entry: TarEntry) -> Bool {
        let name = entry.path.split(separator: "/").last.map(String.init) ?? entry.path
        if name.hasPrefix(".wh.") {
            let parent = entry.path.count > name.count ? String(entry.path.dropLast(name.count + 1)) : ""
            if name == ".wh..wh..opq" {
                inventory.opaqueFolders.append(parent)
            } else {
                let target = String(name.dropFirst(4))
                inventory.whiteouts.append(parent.isEmpty ? target : parent + "/" + target)
            }
            return false
        }
        guard entry.kind == .file else { return false }
        inventory.fileCount += 1
        guard let kind = CatalogedFile.kind(of: entry.path, executable: entry.isExecutable) else { return false }
        if entry.size > kind.sizeLimit && kind != .goBinary {
            inventory.skippedFiles.append(entry.path)
            return false
        }
        current = (entry, kind)
        buffer.removeAll(keepingCapacity: false)
        if kind == .goBinary { goScanner = GoBuildInfoScanner() } else { buffer.reserveCapacity(entry.size) }
        return true
    }

    public func content(_ bytes: UnsafeRawBufferPointer) throws {
        if let goScanner { goScanner.feed(bytes) } else { buffer.append(contentsOf: bytes) }
    }

    public func end(_ entry: TarEntry) throws {
        defer { progress?(inventory.fileCount) }
        guard let (current, kind) = current, current.path == entry.path else { return }
        self.current = nil
        let content: [UInt8]
        if let scanner = goScanner {
            goScanner = nil
            guard let captured = scanner.captured else { return }
            content = captured
        } else {
            content = buffer
            buffer = []
        }
        let findings = Catalogers.read(kind, path: entry.path, content: content, layer: inventory.diffID)
        if kind != .goBinary || !findings.isEmpty { inventory.files[entry.path] = findings }
    }
}

/// Layers stacked bottom first, as an overlay filesystem would show them.
public enum LayerStack {
    /// The findings visible at the top, each with the layer it came from.
    public static func squash(_ layers: [LayerInventory]) -> [String: FileFindings] {
        var view: [String: FileFindings] = [:]
        for layer in layers {
            for folder in layer.opaqueFolders {
                let prefix = folder.isEmpty ? "" : folder + "/"
                view = view.filter { !$0.key.hasPrefix(prefix) }
            }
            for path in layer.whiteouts {
                let prefix = path + "/"
                view = view.filter { $0.key != path && !$0.key.hasPrefix(prefix) }
            }
            for (path, findings) in layer.files { view[path] = findings }
        }
        return view
    }
}
