import VigilModel

/// `_e{<title bytes>,<text bytes>}:<title>|<text>|d:<ts>|h:<host>|k:<key>|p:<priority>|s:<source>|t:<alert>|#<tags>`.
/// Events are rare, so this one builds Strings freely.
enum EventParser {
    struct Parsed {
        var event: Event
        /// Client tags, before origin tags are added.
        var tags: [String]
        var hostFromClient: Bool
    }

    static func parse(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, defaultHost: String, now: Int64)
        -> Result<Parsed, ParseErrorReason>
    {
        guard buf.hasPrefix("_e{", in: line),
              let close = buf.firstIndex(of: UInt8(ascii: "}"), in: line),
              let comma = buf.firstIndex(of: UInt8(ascii: ","), in: ByteRange(start: line.start + 3, end: close)),
              let titleLength = NumberParsing.int64(buf.slice(ByteRange(start: line.start + 3, end: comma))),
              let textLength = NumberParsing.int64(buf.slice(ByteRange(start: comma + 1, end: close))),
              titleLength > 0, textLength >= 0,
              // Lengths beyond the line cannot match, and must not overflow the offsets below.
              titleLength <= line.count, textLength <= line.count,
              close + 1 < line.end, buf[close + 1] == UInt8(ascii: ":")
        else { return .failure(.invalidEventHeader) }
        let titleStart = close + 2
        let titleEnd = titleStart + Int(titleLength)
        let textStart = titleEnd + 1
        let textEnd = textStart + Int(textLength)
        guard titleEnd < line.end, buf[titleEnd] == UInt8(ascii: "|"), textEnd <= line.end,
              textEnd == line.end || buf[textEnd] == UInt8(ascii: "|")
        else { return .failure(.eventLengthMismatch) }

        var event = Event(title: unescape(buf.string(ByteRange(start: titleStart, end: titleEnd))),
                          text: unescape(buf.string(ByteRange(start: textStart, end: textEnd))),
                          timestamp: now, host: defaultHost, tags: [])
        var tags: [String] = []
        var hostFromClient = false
        var failure: ParseErrorReason?
        buf.forEachPiece(of: ByteRange(start: textEnd, end: line.end), separatedBy: UInt8(ascii: "|")) { field in
            let value = ByteRange(start: Swift.min(field.start + 2, field.end), end: field.end)
            if buf.hasPrefix("d:", in: field) {
                guard let ts = NumberParsing.int64(buf.slice(value)) else { failure = .invalidTimestamp; return }
                event.timestamp = ts
            } else if buf.hasPrefix("h:", in: field) {
                event.host = buf.string(value)
                hostFromClient = true
            } else if buf.hasPrefix("k:", in: field) {
                event.aggregationKey = buf.string(value)
            } else if buf.hasPrefix("p:", in: field) {
                event.priority = Event.Priority(rawValue: buf.string(value).lowercased()) ?? .normal
            } else if buf.hasPrefix("s:", in: field) {
                event.sourceTypeName = buf.string(value)
            } else if buf.hasPrefix("t:", in: field) {
                event.alertType = Event.AlertType(rawValue: buf.string(value).lowercased()) ?? .info
            } else if buf[field.start] == UInt8(ascii: "#") {
                buf.forEachPiece(of: ByteRange(start: field.start + 1, end: field.end), separatedBy: UInt8(ascii: ",")) {
                    tags.append(buf.string($0))
                }
            }
        }
        if let failure { return .failure(failure) }
        return .success(Parsed(event: event, tags: tags, hostFromClient: hostFromClient))
    }

    /// Clients escape newlines in titles and texts as `\n`.
    static func unescape(_ s: String) -> String {
        s.contains("\\n") ? s.replacingOccurrences(of: "\\n", with: "\n") : s
    }
}
