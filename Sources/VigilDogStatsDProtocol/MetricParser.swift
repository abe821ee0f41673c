import VigilAggregation
import VigilModel

/// `name:value[:value…]|type[|@rate][|#tag,…][|T<unix_ts>][|c:<container>][|card:<cardinality>]`.
/// Works on ranges of the packet buffer; allocates nothing.
public enum MetricParser {
    /// Parses `line` into `metric` (which must start as `ParsedMetric()`);
    /// nil on success, else why the message is refused. The caller owns the
    /// storage: returning the struct inside a `Result` made the caller copy
    /// it back from memory the callee had just written piecewise, a
    /// store-forwarding stall measured at ~10% of the metric path.
    @inlinable
    public static func parse(_ buf: UnsafeRawBufferPointer, _ line: ByteRange, into metric: inout ParsedMetric)
        -> ParseErrorReason?
    {
        guard let firstPipe = buf.firstIndex(of: UInt8(ascii: "|"), in: line) else {
            return buf.firstIndex(of: UInt8(ascii: ":"), in: line) == nil ? .missingValue : .missingType
        }
        let head = ByteRange(start: line.start, end: firstPipe)
        guard let colon = buf.firstIndex(of: UInt8(ascii: ":"), in: head) else { return .missingValue }
        metric.name = ByteRange(start: head.start, end: colon)
        metric.values = ByteRange(start: colon + 1, end: head.end)
        if metric.name.isEmpty { return .emptyName }
        if metric.values.isEmpty { return .missingValue }

        var fieldIndex = 0
        var failure: ParseErrorReason?
        buf.forEachPiece(of: ByteRange(start: firstPipe + 1, end: line.end), separatedBy: UInt8(ascii: "|")) { field in
            guard failure == nil else { return }
            defer { fieldIndex += 1 }
            if fieldIndex == 0 {
                guard let type = metricType(buf, field) else { failure = .unknownType; return }
                metric.type = type
                return
            }
            switch buf[field.start] {
            case UInt8(ascii: "@"):
                guard let rate = NumberParsing.double(buf.slice(ByteRange(start: field.start + 1, end: field.end))),
                      rate > 0, rate <= 1, (1 / rate).isFinite else { failure = .invalidSampleRate; return }
                metric.sampleRate = rate
            case UInt8(ascii: "#"):
                metric.tags = ByteRange(start: field.start + 1, end: field.end)
            case UInt8(ascii: "T"):
                guard let ts = NumberParsing.int64(buf.slice(ByteRange(start: field.start + 1, end: field.end))),
                      ts > 0 else { failure = .invalidTimestamp; return }
                metric.timestamp = ts
            case UInt8(ascii: "c") where field.count > 1 && buf[field.start + 1] == UInt8(ascii: ":"):
                metric.containerID = LocalData.containerID(buf, ByteRange(start: field.start + 2, end: field.end))
            case UInt8(ascii: "c") where buf.hasPrefix("card:", in: field):
                // An unknown value keeps the configured cardinality, as the reference does.
                metric.cardinality = OriginCardinality(bytes: buf.slice(ByteRange(start: field.start + 5, end: field.end)))
            default:
                // Fields of newer protocol versions (e.g. `|e:` external data) are ignored, as the reference does.
                break
            }
        }
        if let failure { return failure }
        if fieldIndex == 0 { return .missingType }
        // The reference sends timestamped samples on without aggregating
        // them, which only gauges and counts can be; it drops the others.
        if metric.timestamp != 0, metric.type != .gauge, metric.type != .count {
            return .timestampedUnsupportedType
        }
        return nil
    }

    @inlinable @inline(__always)
    static func metricType(_ buf: UnsafeRawBufferPointer, _ r: ByteRange) -> DogStatsDMetricType? {
        if r.count == 1 {
            switch buf[r.start] {
            case UInt8(ascii: "g"): return .gauge
            case UInt8(ascii: "c"): return .count
            case UInt8(ascii: "h"): return .histogram
            case UInt8(ascii: "d"): return .distribution
            case UInt8(ascii: "s"): return .set
            default: return nil
            }
        }
        return buf.equals("ms", in: r) ? .timer : nil
    }

    /// How many values a multi-value message holds, skipping empty ones
    /// (`1::2` is two), as the reference does; nil when one does not parse
    /// or there is none, for the message is accepted whole or not at all.
    @inlinable
    public static func countValues(_ buf: UnsafeRawBufferPointer, _ values: ByteRange) -> Int? {
        var count = 0
        var valid = true
        buf.forEachPiece(of: values, separatedBy: UInt8(ascii: ":")) { piece in
            if valid, NumberParsing.double(buf.slice(piece)) != nil { count += 1 } else { valid = false }
        }
        return valid && count > 0 ? count : nil
    }
}
