import CZlib

/// Java archives (jar, war, ear): Maven's `META-INF/maven/<group>/<artifact>/pom.properties`,
/// the manifest, and archives nested inside, read from the archive's bytes in memory.
enum JavaCataloger {
    /// One package for the archive itself, named by its file (and versioned by the file name, else
    /// its manifest, else "UNKNOWN"), plus one per `pom.properties`; a pom whose artifact id
    /// starts with the file's name describes the archive itself and replaces its file-named
    /// package. Nested archives are read the same way. These are syft's rules, so the two agree.
    static func packages(archive: [UInt8], path: String, layer: String, depth: Int = 0) -> [FoundPackage] {
        guard depth < 4, let zip = ZipDirectory(archive) else { return [] }
        let fileName = String(path.split(separator: "/").last ?? "")
        let stem = fileName.split(separator: ".").dropLast().joined(separator: ".")
        let (fileArtifact, fileVersion) = splitVersion(stem)
        var poms: [FoundPackage] = []
        for entry in zip.entries where entry.name.hasPrefix("META-INF/maven/") && entry.name.hasSuffix("/pom.properties") {
            guard let data = zip.contents(of: entry) else { continue }
            var properties: [String: String] = [:]
            for line in String(decoding: data, as: UTF8.self).replacing("\r\n", with: "\n").split(separator: "\n")
            where !line.hasPrefix("#") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                properties[line[..<equals].trimmed] = line[line.index(after: equals)...].trimmed
            }
            guard let artifact = properties["artifactId"], !artifact.isEmpty else { continue }
            poms.append(FoundPackage(name: artifact, version: properties["version"] ?? "", type: .javaArchive,
                                     path: path, layer: layer, group: properties["groupId"] ?? ""))
        }
        var packages: [FoundPackage] = []
        if let own = poms.firstIndex(where: { !fileArtifact.isEmpty && $0.name.hasPrefix(fileArtifact) }) {
            packages.append(poms.remove(at: own))
        } else if !fileArtifact.isEmpty {
            var version = fileVersion
            if version.isEmpty, let manifest = zip.entries.first(where: { $0.name == "META-INF/MANIFEST.MF" }).flatMap(zip.contents) {
                // The main section first, then the named ones.
                let sections = Stanzas.parse(String(decoding: manifest, as: UTF8.self))
                for key in ["Implementation-Version", "Specification-Version", "Plugin-Version", "Bundle-Version"] {
                    if let found = sections.lazy.compactMap({ $0.first(key) }).first(where: { !$0.isEmpty }) {
                        version = found
                        break
                    }
                }
            }
            packages.append(FoundPackage(name: fileArtifact, version: version.isEmpty ? "UNKNOWN" : version,
                                         type: .javaArchive, path: path, layer: layer))
        }
        packages += poms
        for entry in zip.entries where [".jar", ".war", ".ear"].contains(where: entry.name.hasSuffix) {
            guard let nested = zip.contents(of: entry) else { continue }
            packages += self.packages(archive: nested, path: path + ":" + entry.name, layer: layer, depth: depth + 1)
        }
        return packages
    }

    /// "commons-io-2.11.0" → ("commons-io", "2.11.0"): the version starts at the first "-<digit>".
    static func splitVersion(_ stem: String) -> (String, String) {
        let characters = Array(stem)
        for index in characters.indices.dropLast() where characters[index] == "-" && characters[index + 1].isNumber {
            return (String(characters[..<index]), String(characters[(index + 1)...]))
        }
        return (stem, "")
    }
}

/// A zip archive's central directory and its entries' contents (stored or deflated).
struct ZipDirectory {
    struct Entry {
        var name: String
        var method: UInt16
        var compressedSize: Int
        var size: Int
        var localHeader: Int
    }

    let bytes: [UInt8]
    var entries: [Entry] = []

    init?(_ bytes: [UInt8]) {
        self.bytes = bytes
        guard bytes.count >= 22 else { return nil }
        // The end record is within the last 64 KiB + 22 bytes (its comment is at most 65535).
        var end = bytes.count - 22
        let floor = max(0, bytes.count - 65_557)
        while end >= floor && Self.le32(bytes, end) != 0x0605_4b50 { end -= 1 }
        guard end >= floor else { return nil }
        let count = Int(Self.le16(bytes, end + 10))
        var offset = Int(Self.le32(bytes, end + 16))
        for _ in 0..<count {
            guard offset + 46 <= bytes.count, Self.le32(bytes, offset) == 0x0201_4b50 else { return nil }
            let nameLength = Int(Self.le16(bytes, offset + 28))
            let extraLength = Int(Self.le16(bytes, offset + 30))
            let commentLength = Int(Self.le16(bytes, offset + 32))
            guard offset + 46 + nameLength <= bytes.count else { return nil }
            entries.append(Entry(
                name: String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self),
                method: Self.le16(bytes, offset + 10), compressedSize: Int(Self.le32(bytes, offset + 20)),
                size: Int(Self.le32(bytes, offset + 24)), localHeader: Int(Self.le32(bytes, offset + 42))))
            offset += 46 + nameLength + extraLength + commentLength
        }
    }

    func contents(of entry: Entry) -> [UInt8]? {
        let header = entry.localHeader
        guard header + 30 <= bytes.count, Self.le32(bytes, header) == 0x0403_4b50, entry.size <= 64 << 20 else { return nil }
        let start = header + 30 + Int(Self.le16(bytes, header + 26)) + Int(Self.le16(bytes, header + 28))
        guard start + entry.compressedSize <= bytes.count else { return nil }
        let compressed = Array(bytes[start..<(start + entry.compressedSize)])
        switch entry.method {
        case 0: return compressed
        case 8: return Self.inflateRaw(compressed, size: entry.size)
        default: return nil
        }
    }

    static func inflateRaw(_ input: [UInt8], size: Int) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: max(size, 1))
        var input = input
        let result: Int32 = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return inflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else { return nil }
        return Array(output.prefix(Int(stream.total_out)))
    }

    static func le16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
    static func le32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }
}
