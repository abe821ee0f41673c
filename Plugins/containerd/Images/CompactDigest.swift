/// A content digest held in 32 bytes when it is `sha256:` and 64 lowercase hex digits (every
/// digest containerd makes), instead of a 71-character string (112 bytes on the heap and a
/// reference to them). Any other form is kept as its text. Ordered as the text is: hex digits
/// read as big-endian words compare as the digits do.
public enum CompactDigest: Hashable, Comparable, Sendable {
    case sha256(UInt64, UInt64, UInt64, UInt64)
    case text(String)

    public init(_ digest: String) {
        self = Self.sha256Words(digest) ?? .text(digest)
    }

    public var string: String {
        switch self {
        case let .text(text): return text
        case let .sha256(a, b, c, d):
            return "sha256:" + [a, b, c, d].map { word in
                let hex = String(word, radix: 16)
                return String(repeating: "0", count: 16 - hex.count) + hex
            }.joined()
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case let (.sha256(a1, b1, c1, d1), .sha256(a2, b2, c2, d2)): return (a1, b1, c1, d1) < (a2, b2, c2, d2)
        default: return lhs.string < rhs.string
        }
    }

    private static func sha256Words(_ digest: String) -> CompactDigest? {
        var digest = digest
        // Native strings are contiguous UTF-8: read in place, with no copy of the text.
        return digest.withUTF8 { utf8 in
            guard utf8.count == 71, utf8.starts(with: "sha256:".utf8) else { return nil }
            func word(_ index: Int) -> UInt64? {
                var word: UInt64 = 0
                for byte in utf8[(7 + 16 * index)..<(7 + 16 * (index + 1))] {
                    switch byte {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): word = word << 4 | UInt64(byte - UInt8(ascii: "0"))
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): word = word << 4 | UInt64(byte - UInt8(ascii: "a") + 10)
                    default: return nil
                    }
                }
                return word
            }
            guard let a = word(0), let b = word(1), let c = word(2), let d = word(3) else { return nil }
            return .sha256(a, b, c, d)
        }
    }
}
