internal import CSQLite3

/// rpm's database in its SQLite form (Fedora 33+, RHEL 9, Amazon Linux 2023): each row of
/// `Packages` is an rpm header blob. The file is opened from memory (sqlite3_deserialize),
/// so nothing of the image is written anywhere.
enum RpmCataloger {
    static func packages(sqlite content: [UInt8], path: String, layer: String) -> [FoundPackage] {
        var database: OpaquePointer?
        guard sqlite3_open_v2(":memory:", &database, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let database else { return [] }
        defer { sqlite3_close(database) }
        // SQLite frees the copy it is handed (SQLITE_DESERIALIZE_FREEONCLOSE).
        let size = content.count
        guard let copy = sqlite3_malloc64(sqlite3_uint64(size)) else { return [] }
        content.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: size) }
        let flags = UInt32(SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY)
        guard sqlite3_deserialize(database, "main", copy.assumingMemoryBound(to: UInt8.self), sqlite3_int64(size),
                                  sqlite3_int64(size), flags) == SQLITE_OK else { return [] }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, "SELECT blob FROM Packages", -1, &statement, nil) == SQLITE_OK else { return [] }
        defer { sqlite3_finalize(statement) }
        var packages: [FoundPackage] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            guard let blob = sqlite3_column_blob(statement, 0) else { continue }
            let bytes = [UInt8](UnsafeRawBufferPointer(start: blob, count: Int(sqlite3_column_bytes(statement, 0))))
            if let package = RpmHeader.package(bytes, path: path, layer: layer) { packages.append(package) }
        }
        return packages
    }
}

/// An rpm header as stored in the database: index count, data length, 16-byte index
/// entries (tag, type, offset, count; big-endian), then the data.
enum RpmHeader {
    static func package(_ bytes: [UInt8], path: String, layer: String) -> FoundPackage? {
        guard bytes.count >= 8 else { return nil }
        let entries = Int(be32(bytes, 0))
        let dataLength = Int(be32(bytes, 4))
        let dataStart = 8 + entries * 16
        guard entries > 0, entries < 100_000, dataStart + dataLength <= bytes.count else { return nil }
        var strings: [Int: String] = [:]
        var epoch: Int?
        for index in 0..<entries {
            let base = 8 + index * 16
            let tag = Int(be32(bytes, base))
            let type = be32(bytes, base + 4)
            let offset = dataStart + Int(be32(bytes, base + 8))
            guard [1000, 1001, 1002, 1003, 1014, 1022, 1044].contains(tag), offset < bytes.count else { continue }
            if tag == 1003 && type == 4 && offset + 4 <= bytes.count {
                epoch = Int(be32(bytes, offset))
            } else if type == 6 || type == 8 || type == 9 {
                let end = bytes[offset...].firstIndex(of: 0) ?? bytes.count
                strings[tag] = String(decoding: bytes[offset..<end], as: UTF8.self)
            }
        }
        guard let name = strings[1000], !name.isEmpty, name != "gpg-pubkey" else { return nil }
        var version = (strings[1001] ?? "") + (strings[1002].map { "-" + $0 } ?? "")
        if let epoch { version = "\(epoch):" + version }
        return FoundPackage(name: name, version: version, type: .rpm, licenses: strings[1014].map { [$0] } ?? [],
                            path: path, layer: layer, architecture: strings[1022] ?? "",
                            sourceName: strings[1044] ?? "")
    }

    static func be32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}
