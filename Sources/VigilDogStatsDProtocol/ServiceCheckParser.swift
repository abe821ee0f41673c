import Foundation
import VigilModel

/// `_sc|<name>|<status>|d:<ts>|h:<host>|#<tags>|m:<message>`. As in the
/// reference, every optional field ends at the next `|`, `m:` included, so
/// a `|#tags` after the message is read as tags (the protocol says `m:`
/// comes last; clients escape a `|`-free message anyway). A field that
/// does not parse (`d:abc`) is ignored and counted, the check kept.
public enum ServiceCheckParser {
    public struct Parsed {
        public var check: ServiceCheck
        public var client: ClientFields
        /// Optional fields that did not parse and were ignored.
        public var ignoredFields: Int
    }

    public static func parse(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, defaultHost: String, now: Int64)
        -> Result<Parsed, ParseErrorReason>
    {
        guard buf.hasPrefix("_sc|", in: line) else { return .failure(.invalidServiceCheck) }
        let body = ByteRange(start: line.start + 4, end: line.end)
        guard let namePipe = buf.firstIndex(of: UInt8(ascii: "|"), in: body), namePipe > body.start else {
            return .failure(.invalidServiceCheck)
        }
        let statusStart = namePipe + 1
        let statusEnd = buf.firstIndex(of: UInt8(ascii: "|"), in: ByteRange(start: statusStart, end: line.end)) ?? line.end
        // One digit, 0 to 3, exactly as the reference compares it.
        guard statusEnd - statusStart == 1, let status = ServiceCheckStatus(rawValue: Int(buf[statusStart]) - 48)
        else { return .failure(.invalidServiceCheckStatus) }

        var check = ServiceCheck(name: buf.string(ByteRange(start: body.start, end: namePipe)), status: status,
                                 tags: [], host: defaultHost, timestamp: now)
        var client = ClientFields()
        var hostField: String?
        var ignored = 0
        if statusEnd < line.end {
            buf.forEachField(of: ByteRange(start: statusEnd + 1, end: line.end), separatedBy: UInt8(ascii: "|")) { field in
                let value = ByteRange(start: Swift.min(field.start + 2, field.end), end: field.end)
                if buf.hasPrefix("d:", in: field) {
                    if let ts = NumberParsing.int64(buf.slice(value)) { check.timestamp = ts } else { ignored += 1 }
                } else if buf.hasPrefix("h:", in: field) {
                    hostField = buf.string(value)
                } else if buf.hasPrefix("m:", in: field) {
                    check.message = unescapeMessage(buf.string(value))
                } else {
                    _ = client.read(buf, field: field)
                }
            }
        }
        client.finish()
        check.host = client.host(field: hostField, defaultHost: defaultHost)
        return .success(Parsed(check: check, client: client, ignoredFields: ignored))
    }

    /// Clients escape newlines as `\n` and `m:` inside the message as `m\:`
    /// so it cannot be mistaken for the field; the reference keeps those
    /// escapes, Vigil restores what the client meant.
    static func unescapeMessage(_ raw: String) -> String {
        let s = EventParser.unescape(raw)
        return s.contains("m\\:") ? s.replacingOccurrences(of: "m\\:", with: "m:") : s
    }
}
