/// One member of a tar stream.
public struct TarEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case file, directory, symlink, hardlink, other }

    /// Relative path without a leading "./" or "/", e.g. "var/lib/dpkg/status".
    public var path: String
    public var kind: Kind
    public var size: Int
    public var mode: UInt32
    public var linkTarget: String

    public var isExecutable: Bool { kind == .file && mode & 0o111 != 0 }
}

/// Receives a tar stream's members in order.
public protocol TarConsumer: AnyObject {
    /// A member starts; true asks for its content (delivered by `content`, in pieces).
    func begin(_ entry: TarEntry) -> Bool
    func content(_ bytes: UnsafeRawBufferPointer) throws
    /// The member's content is complete (or was skipped).
    func end(_ entry: TarEntry) throws
}

/// A tar reader fed in pieces, so that a layer is never held whole: ustar and
/// POSIX pax (path, linkpath, size records) and GNU long names, which is what
/// image builders write.
public final class TarStream {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private enum State {
        case header
        case content(entry: TarEntry, remaining: Int, padding: Int, wanted: Bool)
        case metadata(kind: UInt8, remaining: Int, padding: Int)
        case end
    }

    private let consumer: TarConsumer
    private var state = State.header
    private var headerBytes: [UInt8] = []
    private var metadataBytes: [UInt8] = []
    private var pendingPath: String?
    private var pendingLink: String?
    private var pendingSize: Int?
    private var zeroBlocks = 0
    public private(set) var entryCount = 0

    public init(consumer: TarConsumer) {
        self.consumer = consumer
        headerBytes.reserveCapacity(512)
    }

    public func feed(_ input: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < input.count {
            switch state {
            case .end:
                return
            case .header:
                let take = min(512 - headerBytes.count, input.count - offset)
                headerBytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[offset..<offset + take]))
                offset += take
                if headerBytes.count == 512 {
                    try parseHeader()
                    headerBytes.removeAll(keepingCapacity: true)
                }
            case let .content(entry, remaining, padding, wanted):
                if remaining > 0 {
                    let take = min(remaining, input.count - offset)
                    if wanted { try consumer.content(UnsafeRawBufferPointer(rebasing: input[offset..<offset + take])) }
                    offset += take
                    state = .content(entry: entry, remaining: remaining - take, padding: padding, wanted: wanted)
                    if remaining - take == 0 && padding == 0 { try finishEntry(entry) }
                } else {
                    let take = min(padding, input.count - offset)
                    offset += take
                    if padding - take == 0 { try finishEntry(entry) } else {
                        state = .content(entry: entry, remaining: 0, padding: padding - take, wanted: wanted)
                    }
                }
            case let .metadata(kind, remaining, padding):
                if remaining > 0 {
                    let take = min(remaining, input.count - offset)
                    metadataBytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[offset..<offset + take]))
                    offset += take
                    state = .metadata(kind: kind, remaining: remaining - take, padding: padding)
                } else {
                    let take = min(padding, input.count - offset)
                    offset += take
                    state = .metadata(kind: kind, remaining: 0, padding: padding - take)
                }
                if case .metadata(_, 0, 0) = state {
                    applyMetadata(kind)
                    state = .header
                }
            }
        }
    }

    /// Ends the stream; fails when it stopped inside a member.
    public func finish() throws {
        switch state {
        case .header, .end:
            if !headerBytes.isEmpty && headerBytes.contains(where: { $0 != 0 }) {
                throw Failure(description: "tar stream ended inside a header")
            }
        case let .content(entry, _, _, _):
            throw Failure(description: "tar stream ended inside \(entry.path)")
        case .metadata:
            throw Failure(description: "tar stream ended inside an extended header")
        }
    }

    private func finishEntry(_ entry: TarEntry) throws {
        state = .header
        try consumer.end(entry)
    }

    private func parseHeader() throws {
        if headerBytes.allSatisfy({ $0 == 0 }) {
            zeroBlocks += 1
            if zeroBlocks == 2 { state = .end }
            return
        }
        zeroBlocks = 0
        guard checksumMatches() else {
            throw Failure(description: "tar header \(entryCount + 1) has a bad checksum (not a tar stream, or corrupt)")
        }
        let typeFlag = headerBytes[156]
        guard let size = pendingSize ?? number(124, 12) else {
            throw Failure(description: "tar header \(entryCount + 1) has an unreadable size")
        }
        let padding = (512 - size % 512) % 512
        switch typeFlag {
        case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K"):
            metadataBytes.removeAll(keepingCapacity: true)
            guard size <= 1 << 20 else { throw Failure(description: "tar extended header of \(size) bytes is too large") }
            pendingSize = nil
            state = size == 0 ? .header : .metadata(kind: typeFlag, remaining: size, padding: padding)
            if size == 0 { applyMetadata(typeFlag) }
            return
        default:
            break
        }
        var name = pendingPath ?? {
            let base = text(0, 100)
            let magic = text(257, 6)
            let prefix = magic.hasPrefix("ustar") ? text(345, 155) : ""
            return prefix.isEmpty ? base : prefix + "/" + base
        }()
        let link = pendingLink ?? text(157, 100)
        pendingPath = nil
        pendingLink = nil
        pendingSize = nil
        while name.hasPrefix("./") { name.removeFirst(2) }
        while name.hasPrefix("/") { name.removeFirst() }
        while name.hasSuffix("/") { name.removeLast() }
        let kind: TarEntry.Kind
        switch typeFlag {
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"): kind = .file
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "2"): kind = .symlink
        case UInt8(ascii: "1"): kind = .hardlink
        default: kind = .other
        }
        // Only regular files carry content; a hard link's size field is 0 or ignored.
        let contentSize = kind == .file || kind == .other ? size : 0
        let entry = TarEntry(path: name, kind: kind, size: contentSize, mode: UInt32(number(100, 8) ?? 0),
                             linkTarget: link)
        entryCount += 1
        let wanted = consumer.begin(entry)
        let contentPadding = (512 - contentSize % 512) % 512
        if contentSize == 0 {
            try consumer.end(entry)
            state = .header
        } else {
            state = .content(entry: entry, remaining: contentSize, padding: contentPadding, wanted: wanted)
        }
    }

    private func applyMetadata(_ kind: UInt8) {
        switch kind {
        case UInt8(ascii: "L"): pendingPath = String(decoding: metadataBytes.prefix { $0 != 0 }, as: UTF8.self)
        case UInt8(ascii: "K"): pendingLink = String(decoding: metadataBytes.prefix { $0 != 0 }, as: UTF8.self)
        case UInt8(ascii: "x"):
            for (key, value) in Self.paxRecords(metadataBytes) {
                switch key {
                case "path": pendingPath = value
                case "linkpath": pendingLink = value
                case "size": pendingSize = Int(value)
                default: break
                }
            }
        default: break  // "g": global records change nothing we read.
        }
        metadataBytes.removeAll(keepingCapacity: true)
    }

    /// "<length> <key>=<value>\n" records, the length counting the whole record.
    static func paxRecords(_ bytes: [UInt8]) -> [(String, String)] {
        var records: [(String, String)] = []
        var index = 0
        while index < bytes.count {
            guard let space = bytes[index...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: bytes[index..<space], as: UTF8.self)),
                  length > 0, index + length <= bytes.count else { break }
            let record = bytes[(space + 1)..<(index + length - 1)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                records.append((String(decoding: record[..<equals], as: UTF8.self),
                                String(decoding: record[(equals + 1)...], as: UTF8.self)))
            }
            index += length
        }
        return records
    }

    private func text(_ offset: Int, _ length: Int) -> String {
        let field = headerBytes[offset..<offset + length]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[..<end], as: UTF8.self)
    }

    private func number(_ offset: Int, _ length: Int) -> Int? { Self.number(headerBytes[offset..<offset + length]) }

    /// A header's numeric field: octal, or GNU base-256 when the high bit of the first byte is set.
    static func number(_ field: ArraySlice<UInt8>) -> Int? {
        if let first = field.first, first & 0x80 != 0 {
            var value = Int(first & 0x7f)
            for byte in field.dropFirst() {
                guard value < Int.max >> 8 else { return nil }
                value = value << 8 | Int(byte)
            }
            return value
        }
        var value = 0
        var seen = false
        for byte in field {
            if byte == 0 || byte == UInt8(ascii: " ") { if seen { break } else { continue } }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "7") else { return nil }
            seen = true
            value = value * 8 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private func checksumMatches() -> Bool {
        guard let stored = number(148, 8) else { return false }
        var unsigned = 0
        var signed = 0
        for (index, byte) in headerBytes.enumerated() {
            let value = (148..<156).contains(index) ? UInt8(ascii: " ") : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        return stored == unsigned || stored == signed
    }
}
