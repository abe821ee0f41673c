import Testing
import VigilModel
import VigilStatus

/// Issue 20 item 4: what a tag or label planted with terminal controls does
/// to the person reading `vigil query`, `workload` or `status`: nothing.
@Suite struct TerminalTextTests {
    static let hostile = "red\u{1b}[31m\u{1b}]0;title\u{07}\u{202e}txt.exe\u{9b}2J\tend\r\nnext"

    @Test func cellsShowControlsEscaped() {
        let cell = TerminalText.cell(Self.hostile)
        #expect(cell == "red\\x1b[31m\\x1b]0;title\\x07\\u{202e}txt.exe\\x9b2J\\tend\\r\\nnext")
        #expect(!cell.unicodeScalars.contains { $0.isTerminalControl })
        #expect(TerminalText.cell("plain z\u{fc}rich \u{65e5}") == "plain z\u{fc}rich \u{65e5}")
    }

    @Test func outputKeepsItsLineBreaksOnly() {
        #expect(TerminalText.output("a\nb\u{1b}c\n") == "a\nb\\x1bc\n")
    }

    @Test func tablesEscapeEveryCellAndAlignOnWhatIsShown() {
        var table = TextTable(["NAME", "TAGS"])
        table.add(["m\u{1b}[2J", "env:prod"])
        table.add(["plain", "x"])
        let text = table.render()
        #expect(!text.unicodeScalars.contains { $0.isTerminalControl && $0 != "\n" })
        #expect(text == "NAME      TAGS\nm\\x1b[2J  env:prod\nplain     x\n")
    }

    @Test func jsonEscapesWhatTerminalsActOn() {
        let json = JSONValue.string("a\u{7f}b\u{9b}c\u{202e}d").serialized()
        #expect(json == "\"a\\u007fb\\u009bc\\u202ed\"")
    }
}
