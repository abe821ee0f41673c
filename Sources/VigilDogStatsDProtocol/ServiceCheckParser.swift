import Foundation
import VigilModel

/// `_sc|<name>|<status>|d:<ts>|h:<host>|#<tags>|m:<message>`; the message
/// comes last and runs to the end of the line (it may contain `|`).
enum ServiceCheckParser {
    struct Parsed {
        var check: ServiceCheck
        var tags: [String]
        var hostFromClient: Bool
    }

    static func parse(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, defaultHost: String, now: Int64)
        -> Result<Parsed, ParseErrorReason>
    {
        guard buf.hasPrefix("_sc|", in: line) else { return .failure(.invalidServiceCheck) }
        let body = ByteRange(start: line.start + 4, end: line.end)
        guard let namePipe = buf.firstIndex(of: UInt8(ascii: "|"), in: body), namePipe > body.start else {
            return .failure(.invalidServiceCheck)
        }
        let statusStart = namePipe + 1
        let statusEnd = buf.firstIndex(of: UInt8(ascii: "|"), in: ByteRange(start: statusStart, end: line.end)) ?? line.end
        guard let rawStatus = NumberParsing.int64(buf.slice(ByteRange(start: statusStart, end: statusEnd))),
              let status = ServiceCheckStatus(rawValue: Int(rawStatus))
        else { return .failure(.invalidServiceCheckStatus) }

        var check = ServiceCheck(name: buf.string(ByteRange(start: body.start, end: namePipe)), status: status,
                                 tags: [], host: defaultHost, timestamp: now)
        var tags: [String] = []
        var hostFromClient = false
        var failure: ParseErrorReason?
        var cursor = statusEnd
        while cursor < line.end, failure == nil {
            let fieldStart = cursor + 1
            // The message runs to the end of the line.
            if buf.hasPrefix("m:", in: ByteRange(start: fieldStart, end: line.end)) {
                let raw = EventParser.unescape(buf.string(ByteRange(start: fieldStart + 2, end: line.end)))
                // Clients escape `m:` inside the message so it cannot be mistaken for the field.
                check.message = raw.contains("m\\:") ? raw.replacingOccurrences(of: "m\\:", with: "m:") : raw
                break
            }
            let fieldEnd = buf.firstIndex(of: UInt8(ascii: "|"), in: ByteRange(start: fieldStart, end: line.end)) ?? line.end
            let field = ByteRange(start: fieldStart, end: fieldEnd)
            let value = ByteRange(start: Swift.min(field.start + 2, field.end), end: field.end)
            if buf.hasPrefix("d:", in: field) {
                if let ts = NumberParsing.int64(buf.slice(value)) { check.timestamp = ts } else { failure = .invalidTimestamp }
            } else if buf.hasPrefix("h:", in: field) {
                check.host = buf.string(value)
                hostFromClient = true
            } else if !field.isEmpty, buf[field.start] == UInt8(ascii: "#") {
                buf.forEachPiece(of: ByteRange(start: field.start + 1, end: field.end), separatedBy: UInt8(ascii: ",")) {
                    tags.append(buf.string($0))
                }
            }
            cursor = fieldEnd
        }
        if let failure { return .failure(failure) }
        return .success(Parsed(check: check, tags: tags, hostFromClient: hostFromClient))
    }
}
