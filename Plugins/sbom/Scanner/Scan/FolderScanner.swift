#if canImport(Glibc)
import Glibc
#endif

/// Catalogs a folder as it is on disk: the host's root, a running container's root
/// (`/proc/<pid>/root`) or any unpacked filesystem. Never follows a symbolic link, never
/// leaves the folder, and reads only cataloged files (Go binaries: only their
/// `.go.buildinfo` section).
public struct FolderScanner {
    public struct Failure: Error, CustomStringConvertible { public var description: String }

    public var root: String
    /// Relative paths left out with everything beneath them (virtual filesystems by default).
    public var excluded: Set<String>
    /// Called every 1,000 files with the count so far.
    public var progress: ((Int) -> Void)?

    public static let defaultExcluded: Set<String> = ["proc", "sys", "dev", "run"]

    public init(root: String, excluded: Set<String> = FolderScanner.defaultExcluded) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.excluded = excluded
    }

    public func scan() throws -> LayerInventory {
        var status = stat()
        guard lstat(root, &status) == 0 || stat(root, &status) == 0 else {
            throw Failure(description: "cannot read \(root): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFDIR || stat(root, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR else {
            throw Failure(description: "\(root) is not a folder")
        }
        var inventory = LayerInventory(diffID: "")
        var pending: [String] = [""]
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? root : (root == "/" ? "/" : root + "/") + relative
            guard let directory = opendir(absolute) else { continue }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let path = relative.isEmpty ? name : relative + "/" + name
                if excluded.contains(path) { continue }
                let full = (root == "/" ? "/" : root + "/") + path
                var info = stat()
                guard lstat(full, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    pending.append(path)
                case S_IFREG:
                    inventory.fileCount += 1
                    if inventory.fileCount % 1000 == 0 { progress?(inventory.fileCount) }
                    let executable = info.st_mode & 0o111 != 0
                    guard let kind = CatalogedFile.kind(of: path, executable: executable) else { continue }
                    if kind != .goBinary && Int(info.st_size) > kind.sizeLimit {
                        inventory.skippedFiles.append(path)
                        continue
                    }
                    let content = kind == .goBinary ? ELFSection.read(".go.buildinfo", of: full) : FileBytes.read(full)
                    guard let content else { continue }
                    let findings = Catalogers.read(kind, path: path, content: content, layer: "")
                    if kind != .goBinary || !findings.isEmpty { inventory.files[path] = findings }
                default:
                    continue
                }
            }
        }
        return inventory
    }
}

enum FileBytes {
    static func read(_ path: String, limit: Int = Int.max) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    static func pread(_ fd: Int32, offset: Int, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress, count, off_t(offset)) }
        return read == count ? bytes : nil
    }
}

/// One section of a 64-bit little-endian ELF file, read through its section headers.
enum ELFSection {
    static func read(_ wanted: String, of path: String, limit: Int = 1 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let header = FileBytes.pread(fd, offset: 0, count: 64),
              header[0] == 0x7f, header[1] == 0x45, header[2] == 0x4c, header[3] == 0x46,
              header[4] == 2, header[5] == 1 else { return nil }
        let sectionOffset = Int(le64(header, 0x28))
        let entrySize = Int(le16(header, 0x3a))
        let count = Int(le16(header, 0x3c))
        let namesIndex = Int(le16(header, 0x3e))
        guard entrySize >= 64, count > 0, count < 65_536, namesIndex < count,
              let table = FileBytes.pread(fd, offset: sectionOffset, count: entrySize * count) else { return nil }
        func section(_ index: Int) -> (name: Int, offset: Int, size: Int) {
            let base = index * entrySize
            return (Int(le32(table, base)), Int(le64(table, base + 0x18)), Int(le64(table, base + 0x20)))
        }
        let names = section(namesIndex)
        guard names.size < 1 << 20, let nameTable = FileBytes.pread(fd, offset: names.offset, count: names.size) else { return nil }
        for index in 0..<count {
            let candidate = section(index)
            guard candidate.name < nameTable.count else { continue }
            let end = nameTable[candidate.name...].firstIndex(of: 0) ?? nameTable.count
            guard nameTable[candidate.name..<end].elementsEqual(wanted.utf8) else { continue }
            return FileBytes.pread(fd, offset: candidate.offset, count: min(candidate.size, limit))
        }
        return nil
    }

    static func le16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
    static func le32(_ b: [UInt8], _ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[o + $1]) << (8 * UInt32($1)) } }
    static func le64(_ b: [UInt8], _ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[o + $1]) << (8 * UInt64($1)) } }
}
