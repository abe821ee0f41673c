/// A mapping's `name` or tag value with `$1`, `${1}` or `${name}` standing
/// for what the match captured, expanded as Go's `Regexp.Expand` does (the
/// reference compiles mappings with Go's regexp): `$name` takes the longest
/// run of letters, digits and `_` (so `$1_x` names a group `1_x`, and
/// `${1}_x` is what one means); a group that does not exist or did not
/// match gives ""; `$$` is a `$`; a `$` followed by anything else is kept.
struct RegexTemplate: Sendable {
    private enum Piece: Sendable {
        case text(String)
        case group(Int)
        case namedGroup(String)
    }

    private let pieces: [Piece]

    init(_ template: String) {
        var pieces: [Piece] = []
        var text = ""
        var rest = Substring(template)
        while let dollar = rest.firstIndex(of: "$") {
            text += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            if rest.first == "$" {
                text += "$"
                rest = rest.dropFirst()
                continue
            }
            let name: Substring
            if rest.first == "{" {
                guard let close = rest.firstIndex(of: "}") else { text += "$"; continue }
                name = rest[rest.index(after: rest.startIndex)..<close]
                guard !name.isEmpty, name.allSatisfy(Self.isNameCharacter) else { text += "$"; continue }
                rest = rest[rest.index(after: close)...]
            } else {
                name = rest.prefix(while: Self.isNameCharacter)
                guard !name.isEmpty else { text += "$"; continue }
                rest = rest[name.endIndex...]
            }
            if !text.isEmpty { pieces.append(.text(text)); text = "" }
            if let number = Int(name) { pieces.append(.group(number)) } else { pieces.append(.namedGroup(String(name))) }
        }
        text += rest
        if !text.isEmpty { pieces.append(.text(text)) }
        self.pieces = pieces
    }

    func expand(_ match: Regex<AnyRegexOutput>.Match) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case let .text(s): out += s
            case let .group(i):
                if i < match.output.count, let captured = match.output[i].substring { out += captured }
            case let .namedGroup(name):
                if let captured = match.output[name]?.substring { out += captured }
            }
        }
        return out
    }

    private static func isNameCharacter(_ c: Character) -> Bool {
        c == "_" || (c.isASCII && (c.isLetter || c.isNumber))
    }
}
