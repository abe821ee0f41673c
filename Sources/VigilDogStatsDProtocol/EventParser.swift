import Foundation
import VigilModel

/// `_e{<title bytes>,<text bytes>}:<title>|<text>|d:<ts>|h:<host>|k:<key>|p:<priority>|s:<source>|t:<alert>|#<tags>`.
/// Follows the reference's reading, which is more lenient than the
/// protocol's description:
/// - the title and text are sliced by their declared byte lengths, whatever
///   byte sits between them; only lengths beyond the message refuse it;
/// - an optional field that does not parse (`d:abc`, `p:urgent`) is
///   ignored and counted, and the event kept.
/// Events are rare, so this one builds Strings freely.
public enum EventParser {
    public struct Parsed {
        public var event: Event
        public var client: ClientFields
        /// Optional fields that did not parse and were ignored.
        public var ignoredFields: Int
    }

    public static func parse(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, defaultHost: String, now: Int64)
        -> Result<Parsed, ParseErrorReason>
    {
        // The header runs to the first `:`: `_e{` lengths `}`.
        guard buf.hasPrefix("_e{", in: line),
              let colon = buf.firstIndex(of: UInt8(ascii: ":"), in: line),
              colon - line.start >= 7, buf[colon - 1] == UInt8(ascii: "}"),
              let comma = buf.firstIndex(of: UInt8(ascii: ","), in: ByteRange(start: line.start + 3, end: colon - 1)),
              let titleLength = NumberParsing.int64(buf.slice(ByteRange(start: line.start + 3, end: comma))),
              let textLength = NumberParsing.int64(buf.slice(ByteRange(start: comma + 1, end: colon - 1))),
              titleLength > 0, textLength >= 0
        else { return .failure(.invalidEventHeader) }
        let body = ByteRange(start: colon + 1, end: line.end)
        // Compared before any offset is computed, so huge lengths cannot overflow.
        guard titleLength < body.count, textLength <= body.count - Int(titleLength) - 1 else {
            return .failure(.eventLengthMismatch)
        }
        let titleEnd = body.start + Int(titleLength)
        let textStart = titleEnd + 1
        let contentEnd = textStart + Int(textLength)

        var event = Event(title: unescape(buf.string(ByteRange(start: body.start, end: titleEnd))),
                          text: unescape(buf.string(ByteRange(start: textStart, end: contentEnd))),
                          timestamp: now, host: defaultHost, tags: [])
        var client = ClientFields()
        var hostField: String?
        var ignored = 0
        if contentEnd < line.end {
            buf.forEachField(of: ByteRange(start: contentEnd, end: line.end), separatedBy: UInt8(ascii: "|")) { field in
                let value = ByteRange(start: Swift.min(field.start + 2, field.end), end: field.end)
                if buf.hasPrefix("d:", in: field) {
                    if let ts = NumberParsing.int64(buf.slice(value)) { event.timestamp = ts } else { ignored += 1 }
                } else if buf.hasPrefix("h:", in: field) {
                    hostField = buf.string(value)
                } else if buf.hasPrefix("k:", in: field) {
                    event.aggregationKey = buf.string(value)
                } else if buf.hasPrefix("p:", in: field) {
                    // Exact lowercase words, as the reference compares them.
                    if let p = Event.Priority(rawValue: buf.string(value)) { event.priority = p } else { ignored += 1 }
                } else if buf.hasPrefix("s:", in: field) {
                    event.sourceTypeName = buf.string(value)
                } else if buf.hasPrefix("t:", in: field) {
                    if let t = Event.AlertType(rawValue: buf.string(value)) { event.alertType = t } else { ignored += 1 }
                } else {
                    // Tags and origin hints; anything else is ignored, as the reference does.
                    _ = client.read(buf, field: field)
                }
            }
        }
        client.finish()
        event.host = client.host(field: hostField, defaultHost: defaultHost)
        return .success(Parsed(event: event, client: client, ignoredFields: ignored))
    }

    /// Clients escape newlines in titles and texts as `\n`.
    public static func unescape(_ s: String) -> String {
        s.contains("\\n") ? s.replacingOccurrences(of: "\\n", with: "\n") : s
    }
}
