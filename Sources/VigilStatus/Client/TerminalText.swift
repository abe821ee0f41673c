import VigilModel

/// What the command line prints comes from other processes (metric names,
/// tags, container labels, module messages), so nothing reaches the terminal
/// that it would act on: controls are shown escaped (`\x1b`, `\u{202e}`).
public enum TerminalText {
    /// A table cell or one-line value: every control escaped, newlines and tabs too.
    public static func cell(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: \.isTerminalControl) else { return text }
        return escape(text, keepingNewlines: false)
    }

    /// Whole rendered output: controls escaped, its own line breaks kept.
    public static func output(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.isTerminalControl && $0 != "\n" }) else { return text }
        return escape(text, keepingNewlines: true)
    }

    static func escape(_ text: String, keepingNewlines: Bool) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if !scalar.isTerminalControl || (keepingNewlines && scalar == "\n") {
                out.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16)
            let escaped = switch scalar {
            case "\n": "\\n"
            case "\t": "\\t"
            case "\r": "\\r"
            default: scalar.value < 0x100 ? "\\x" + (hex.count == 1 ? "0" : "") + hex : "\\u{\(hex)}"
            }
            out.append(contentsOf: escaped.unicodeScalars)
        }
        return String(out)
    }
}
