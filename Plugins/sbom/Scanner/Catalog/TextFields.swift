/// Small text helpers the catalogers share; the stdlib alone, so the module needs no Foundation.
extension StringProtocol {
    /// Without leading and trailing spaces, tabs and carriage returns.
    var trimmed: String {
        let whole = String(self)
        let scalars = whole.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        func blank(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\r" || s == "\n" }
        while start < end, blank(scalars[start]) { start = scalars.index(after: start) }
        while end > start, blank(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(Substring(scalars[start..<end]))
    }
}

/// RFC 822-style stanzas ("Key: value", continuation lines starting with a blank,
/// stanzas separated by an empty line), as dpkg's status file and Python's METADATA use.
enum Stanzas {
    /// Each stanza as its fields; a repeated key keeps every value, in order.
    static func parse(_ text: String, stopAtBody: Bool = false) -> [[(key: String, value: String)]] {
        var stanzas: [[(key: String, value: String)]] = []
        var current: [(key: String, value: String)] = []
        // Swift reads "\r\n" as one character, so CRLF text (jar manifests) splits on nothing: make it LF.
        let text = text.contains("\r\n") ? text.replacing("\r\n", with: "\n") : text
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty {
                if !current.isEmpty { stanzas.append(current); current = [] }
                // METADATA: what follows the first blank line is the long description.
                if stopAtBody && !stanzas.isEmpty { break }
                continue
            }
            if line.first == " " || line.first == "\t" {
                if !current.isEmpty { current[current.count - 1].value += "\n" + line.trimmed }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            current.append((String(line[..<colon]), line[line.index(after: colon)...].trimmed))
        }
        if !current.isEmpty { stanzas.append(current) }
        return stanzas
    }
}

extension Array where Element == (key: String, value: String) {
    func first(_ key: String) -> String? { first { $0.key.lowercased() == key.lowercased() }?.value }
    func all(_ key: String) -> [String] { filter { $0.key.lowercased() == key.lowercased() }.map(\.value) }
}
