/// rpm's database in its Berkeley DB form (`var/lib/rpm/Packages`: CentOS 7, RHEL 7 and 8,
/// Amazon Linux 2): a hash database whose values are rpm header blobs, keyed by header
/// number. Read page by page from memory as Berkeley DB lays it out (db_page.h); no library,
/// nothing written. Headers too big for a hash page sit on chains of overflow pages.
enum RpmBerkeleyDB {
    enum Failure: Error, Equatable, CustomStringConvertible {
        case notAHashDatabase, encrypted, badPageSize(Int), truncated

        var description: String {
            switch self {
            case .notAHashDatabase: "not a Berkeley DB hash database"
            case .encrypted: "an encrypted Berkeley DB database"
            case .badPageSize(let size): "Berkeley DB page size \(size) is not a power of two from 512 to 65536"
            case .truncated: "the database ends inside a page"
            }
        }
    }

    static func packages(_ content: [UInt8], path: String, layer: String) -> [FoundPackage] {
        guard let blobs = try? headerBlobs(content) else { return [] }
        return blobs.compactMap { RpmHeader.package($0, path: path, layer: layer) }
    }

    /// Every value of the database (record 0, rpm's own counter, excluded), in page order.
    static func headerBlobs(_ content: [UInt8]) throws -> [[UInt8]] {
        let reader = try PageReader(content)
        var blobs: [[UInt8]] = []
        for page in stride(from: 1, through: reader.lastPage, by: 1) {
            let base = page * reader.pageSize
            let type = content[base + PageLayout.typeOffset]
            guard type == PageLayout.hashPage || type == PageLayout.unsortedHashPage else { continue }
            let entries = Int(reader.u16(base + PageLayout.entriesOffset))
            // Items come in pairs: key, then value.
            var item = 0
            while item + 1 < entries {
                defer { item += 2 }
                let key = try reader.item(onPage: page, index: item, entries: entries)
                if key.kind == PageLayout.keyData, key.bytes.count == 4, key.bytes.allSatisfy({ $0 == 0 }) { continue }
                let value = try reader.item(onPage: page, index: item + 1, entries: entries)
                switch value.kind {
                case PageLayout.keyData: blobs.append(value.bytes)
                case PageLayout.offPage: blobs.append(try reader.overflowChain(from: value.overflowPage, length: value.overflowLength))
                default: continue  // duplicates: rpm never stores them in Packages
                }
            }
        }
        return blobs
    }

    /// The numbers of db_page.h this reader uses.
    private enum PageLayout {
        static let hashMagic: UInt32 = 0x0006_1561
        static let headerSize = 26
        static let entriesOffset = 20
        static let freeOffset = 22
        static let typeOffset = 25
        static let nextPageOffset = 16
        static let unsortedHashPage: UInt8 = 2
        static let overflowPage: UInt8 = 7
        static let hashPage: UInt8 = 13
        static let keyData: UInt8 = 1
        static let offPage: UInt8 = 3
    }

    private struct Item {
        var kind: UInt8
        var bytes: [UInt8] = []
        var overflowPage = 0
        var overflowLength = 0
    }

    /// Page arithmetic in the file's own byte order (the meta page's magic tells which).
    private struct PageReader {
        let content: [UInt8]
        let bigEndian: Bool
        let pageSize: Int
        let lastPage: Int
        var pageCount: Int { content.count / pageSize }

        init(_ content: [UInt8]) throws {
            self.content = content
            guard content.count >= 512 else { throw Failure.notAHashDatabase }
            let little = Self.read32(content, 12, bigEndian: false)
            if little == PageLayout.hashMagic { bigEndian = false }
            else if Self.read32(content, 12, bigEndian: true) == PageLayout.hashMagic { bigEndian = true }
            else { throw Failure.notAHashDatabase }
            guard content[24] == 0 else { throw Failure.encrypted }
            pageSize = Int(Self.read32(content, 20, bigEndian: bigEndian))
            guard pageSize >= 512, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else { throw Failure.badPageSize(pageSize) }
            lastPage = Int(Self.read32(content, 32, bigEndian: bigEndian))
            guard content.count >= (lastPage + 1) * pageSize else { throw Failure.truncated }
        }

        static func read32(_ bytes: [UInt8], _ offset: Int, bigEndian: Bool) -> UInt32 {
            let b = (UInt32(bytes[offset]), UInt32(bytes[offset + 1]), UInt32(bytes[offset + 2]), UInt32(bytes[offset + 3]))
            return bigEndian ? b.0 << 24 | b.1 << 16 | b.2 << 8 | b.3 : b.3 << 24 | b.2 << 16 | b.1 << 8 | b.0
        }

        func u32(_ offset: Int) -> UInt32 { Self.read32(content, offset, bigEndian: bigEndian) }

        func u16(_ offset: Int) -> UInt16 {
            let (a, b) = (UInt16(content[offset]), UInt16(content[offset + 1]))
            return bigEndian ? a << 8 | b : b << 8 | a
        }

        /// Item `index` of a hash page: its offset comes from the index array after the page
        /// header; it ends where the previous item (stored above it) begins.
        func item(onPage page: Int, index: Int, entries: Int) throws -> Item {
            let base = page * pageSize
            guard PageLayout.headerSize + entries * 2 <= pageSize else { throw Failure.truncated }
            let start = Int(u16(base + PageLayout.headerSize + index * 2))
            let end = index == 0 ? pageSize : Int(u16(base + PageLayout.headerSize + (index - 1) * 2))
            guard start < end, end <= pageSize else { throw Failure.truncated }
            let kind = content[base + start]
            switch kind {
            case PageLayout.keyData:
                return Item(kind: kind, bytes: Array(content[(base + start + 1)..<(base + end)]))
            case PageLayout.offPage:
                guard start + 12 <= end else { throw Failure.truncated }
                return Item(kind: kind, overflowPage: Int(u32(base + start + 4)), overflowLength: Int(u32(base + start + 8)))
            default:
                return Item(kind: kind)
            }
        }

        /// An overflow value: each page of the chain holds `hf_offset` bytes after its header.
        func overflowChain(from first: Int, length: Int) throws -> [UInt8] {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(min(length, content.count))
            var page = first
            var visited = 0
            while page != 0, bytes.count < length {
                visited += 1
                guard page < pageCount, visited <= pageCount else { throw Failure.truncated }
                let base = page * pageSize
                guard content[base + PageLayout.typeOffset] == PageLayout.overflowPage else { throw Failure.truncated }
                let used = Int(u16(base + PageLayout.freeOffset))
                guard PageLayout.headerSize + used <= pageSize else { throw Failure.truncated }
                bytes += content[(base + PageLayout.headerSize)..<(base + PageLayout.headerSize + used)]
                page = Int(u32(base + PageLayout.nextPageOffset))
            }
            guard bytes.count == length else { throw Failure.truncated }
            return bytes
        }
    }
}
