/// A body is `prefix + item (separator item)* + suffix`. Items are whole
/// JSON values or whole protobuf fields, so any subset of them framed the
/// same way is itself a valid body.
struct PayloadFraming: Sendable {
    let prefix: [UInt8]
    let separator: [UInt8]
    let suffix: [UInt8]
    let maxItems: Int

    init(prefix: String, separator: String, suffix: String, maxItems: Int) {
        self.prefix = Array(prefix.utf8)
        self.separator = Array(separator.utf8)
        self.suffix = Array(suffix.utf8)
        self.maxItems = maxItems
    }

    func size(ofItemBytes total: Int, count: Int) -> Int {
        prefix.count + suffix.count + total + separator.count * Swift.max(0, count - 1)
    }

    func join<C: Collection>(_ items: C) -> [UInt8] where C.Element == [UInt8] {
        var body = prefix
        body.reserveCapacity(size(ofItemBytes: items.reduce(0) { $0 + $1.count }, count: items.count))
        for (index, item) in items.enumerated() {
            if index > 0 { body += separator }
            body += item
        }
        body += suffix
        return body
    }

    /// The items of a body this framing produced; nil when it does not fit
    /// the framing (then the body cannot be split and is sent or dropped whole).
    func items(of body: [UInt8]) -> [[UInt8]]? {
        guard body.count >= prefix.count + suffix.count,
              body.starts(with: prefix), body[(body.count - suffix.count)...].elementsEqual(suffix)
        else { return nil }
        let inner = body[prefix.count..<(body.count - suffix.count)]
        if inner.isEmpty { return [] }
        if separator.isEmpty {
            return maxItems == 1 ? [Array(inner)] : ProtobufReader.topLevelFields(inner)
        }
        return JSONItemScanner.split(inner, separator: separator[separator.startIndex])
    }
}

/// Splits a run of JSON values on top-level separators: commas inside
/// strings, objects or arrays do not count.
enum JSONItemScanner {
    static func split(_ bytes: ArraySlice<UInt8>, separator: UInt8) -> [[UInt8]]? {
        var items: [[UInt8]] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start = bytes.startIndex
        for index in bytes.indices {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth < 0 { return nil }
            case separator where depth == 0:
                items.append(Array(bytes[start..<index]))
                start = index + 1
            default: break
            }
        }
        guard depth == 0, !inString else { return nil }
        items.append(Array(bytes[start..<bytes.endIndex]))
        return items
    }
}
