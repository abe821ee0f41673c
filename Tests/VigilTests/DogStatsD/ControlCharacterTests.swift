import Testing
import VigilModel
@testable import VigilDogStatsD

/// Issue 20 item 4: what a sender gets by putting terminal controls in a
/// name or tag: its message refused and counted, the rest of its packet kept,
/// nothing stored.
@Suite struct ControlCharacterTests {
    @Test func controlsInNamesAndTagsAreRefusedAndCounted() throws {
        let server = try makeOfflineServer()
        let packet = [
            "evil\u{1b}[2J:1|c",
            "ok.a:1|c|#env:\u{1b}]0;pwned\u{07}",
            "ok.b:1|g|#a\u{7f}b",
            "_sc|check\u{1b}[31m|0",
            "_e{5,4}:tit\u{08}e|text|#x:y",
            "kept:2|g|#env:prod",
            "kept.crlf:3|g\r",
        ].joined(separator: "\n")
        let batch = Conformance.flush(server, packet)
        #expect(batch.series.map(\.name).sorted() == ["kept", "kept.crlf"])
        #expect(batch.value("kept") == 2)
        #expect(batch.serviceChecks.isEmpty)
        #expect(batch.events.isEmpty)
        #expect(server.count(of: .controlCharacter) == 5)
    }

    @Test func utf8TextIsNotAControl() throws {
        let server = try makeOfflineServer()
        let batch = Conformance.flush(server, "caf\u{e9}.latte:1|g|#city:z\u{fc}rich,name:\u{65e5}\u{672c}")
        #expect(batch.value("caf\u{e9}.latte") == 1)
        #expect(server.count(of: .controlCharacter) == 0)
    }

    /// The word-at-a-time check against the plain definition, a control at every
    /// offset and length a line can have around the 8-byte steps.
    @Test func wordCheckAgreesWithTheDefinition() {
        func naive(_ bytes: [UInt8]) -> Bool { bytes.contains { $0 < 0x20 || $0 == 0x7F } }
        var generator = SystemRandomNumberGenerator()
        for length in 0..<40 {
            for _ in 0..<200 {
                var bytes = (0..<length).map { _ in UInt8.random(in: 0x20...0xFF, using: &generator) }
                bytes = bytes.map { $0 == 0x7F ? 0x41 : $0 }
                if length > 0, Bool.random(using: &generator) {
                    bytes[Int.random(in: 0..<length, using: &generator)] =
                        [0x00, 0x01, 0x09, 0x0A, 0x1B, 0x1F, 0x7F].randomElement(using: &generator)!
                }
                let fast = bytes.withUnsafeBytes { ControlBytes.contained(in: $0) }
                #expect(fast == naive(bytes), "\(bytes)")
            }
        }
    }
}
