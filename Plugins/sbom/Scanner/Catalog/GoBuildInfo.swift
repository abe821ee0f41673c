#if canImport(Glibc)
import Glibc
#endif

/// The module build information Go (1.18+) embeds in every binary it links: a
/// `.go.buildinfo` blob that starts with "\xff Go buildinf:" and, when its flags say the
/// strings are inline, carries the Go version and the `go version -m` text.
enum GoBuildInfo {
    static let magic: [UInt8] = [0xff] + Array(" Go buildinf:".utf8)

    /// Packages of one binary's content (the whole file, or from the magic on).
    static func packages(_ content: [UInt8], path: String, layer: String) -> [FoundPackage] {
        guard let (goVersion, modinfo) = parse(content) else { return [] }
        var packages: [FoundPackage] = []
        var main: FoundPackage?
        var mainPath: String?
        for line in modinfo.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch fields.first {
            case "path" where fields.count >= 2:
                mainPath = fields[1]
            case "mod" where fields.count >= 3:
                main = FoundPackage(name: fields[1], version: fields[2], type: .goModule, path: path, layer: layer,
                                    sourceName: goVersion)
            case "dep" where fields.count >= 3:
                packages.append(FoundPackage(name: fields[1], version: fields[2], type: .goModule, path: path,
                                             layer: layer, sourceName: goVersion))
            case "=>" where fields.count >= 3 && !packages.isEmpty:
                // A replacement applies to the dep line above it.
                packages[packages.count - 1].name = fields[1]
                packages[packages.count - 1].version = fields[2]
            default: break
            }
        }
        // Built outside a module (Debian builds with GOPATH): the command's path, version "(devel)".
        if main == nil, let mainPath {
            main = FoundPackage(name: mainPath, version: "(devel)", type: .goModule, path: path, layer: layer,
                                sourceName: goVersion)
        }
        if let main { packages.insert(main, at: 0) }
        // The toolchain's standard library, as syft lists it.
        if !goVersion.isEmpty {
            packages.append(FoundPackage(name: "stdlib", version: goVersion, type: .goModule, path: path, layer: layer,
                                         sourceName: goVersion))
        }
        return packages
    }

    /// (Go version, module info) from bytes holding the blob, or nil.
    static func parse(_ bytes: [UInt8]) -> (String, String)? {
        guard let start = find(magic, in: bytes), start + 32 <= bytes.count else { return nil }
        let flags = bytes[start + 15]
        // Before Go 1.18 the strings were pointers into the data segment; those need the ELF sections.
        guard flags & 0x2 != 0 else { return nil }
        var offset = start + 32
        guard let version = readBytes(bytes, &offset), var modinfo = readBytes(bytes, &offset) else { return nil }
        // The module text is framed by 16-byte sentinels (not UTF-8: strip them as bytes).
        if modinfo.count >= 33 { modinfo = Array(modinfo[16..<(modinfo.count - 16)]) }
        return (String(decoding: version, as: UTF8.self), String(decoding: modinfo, as: UTF8.self))
    }

    private static func readBytes(_ bytes: [UInt8], _ offset: inout Int) -> [UInt8]? {
        var length = 0
        var shift = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            length |= Int(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            if shift > 35 { return nil }
        }
        guard length >= 0, offset + length <= bytes.count else { return nil }
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            guard let hit = haystack[index...last].firstIndex(of: first) else { return nil }
            if haystack[hit..<hit + needle.count].elementsEqual(needle) { return hit }
            index = hit + 1
        }
        return nil
    }
}

/// Watches an executable's stream for the build-info magic and keeps only what follows it, so
/// a 50 MB binary costs no more than the blob it carries. Each piece is searched in place
/// (memchr); only the magic's length minus one byte is carried between pieces.
final class GoBuildInfoScanner {
    private static let keep = 1 << 20
    private var tail: [UInt8] = []
    private(set) var captured: [UInt8]?
    private var isELF: Bool?

    /// The magic's offset in `bytes`: memchr for its first byte (0xff, rare in code), then a compare.
    static func search(_ magic: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, bytes.count >= magic.count else { return nil }
        var offset = 0
        let last = bytes.count - magic.count
        while offset <= last {
            guard let hit = memchr(base + offset, Int32(magic[0]), last - offset + 1) else { return nil }
            let position = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + position, magic, magic.count) == 0 { return position }
            offset = position + 1
        }
        return nil
    }

    func feed(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        if isELF == nil {
            tail.append(contentsOf: bytes.prefix(4 - min(4, tail.count)))
            guard tail.count >= 4 else { return }
            isELF = tail.prefix(4).elementsEqual([0x7f, 0x45, 0x4c, 0x46])
            tail.removeAll()
        }
        guard isELF == true else { return }
        if captured != nil {
            if captured!.count < Self.keep { captured!.append(contentsOf: bytes.prefix(Self.keep - captured!.count)) }
            return
        }
        let magic = GoBuildInfo.magic
        // A magic split across the previous piece and this one.
        if !tail.isEmpty {
            let window = tail + bytes.prefix(magic.count - 1)
            if let hit = GoBuildInfo.find(magic, in: window) {
                captured = Array(window[hit...]) + Array(bytes.dropFirst(magic.count - 1).prefix(Self.keep))
                tail = []
                return
            }
        }
        if let offset = Self.search(magic, in: bytes) {
            captured = Array(bytes[offset..<min(bytes.count, offset + Self.keep)])
            tail = []
        } else {
            tail = Array(bytes.suffix(magic.count - 1))
        }
    }
}
