import Testing
import VigilModel
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

/// Generator-driven robustness checks that run in every CI build (libFuzzer
/// runs separately through Fuzz/run.sh): valid messages mutated at random
/// must never crash the intake, and every message must end up either
/// accepted or counted as an error.
@Suite struct ParserPropertyTests {
    static let seeds = [
        "page.views:1|c|@0.5|#env:prod,host:web1|T1700000000|c:abc",
        "lat:1:2:3|h|#a,b", "users:alice|s", "d:0.5|d", "t:3|ms", "g:-1e3|g",
        "_e{5,4}:title|text|d:1|h:h|k:k|p:low|s:src|t:error|#a:b",
        "_sc|name|2|d:1|h:h|#a|m:msg",
    ]
    static let alphabet = Array("|:#@,.-_eE{}0123456789\n\r cgdhsmT\\".utf8) + [0, 0xff, 0xc3]

    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            return ContextKey.mix(state)
        }
    }

    @Test func mutatedPacketsNeverCrashAndAreAccountedFor() throws {
        let server = try makeOfflineServer()
        var rng = SplitMix(state: 42)
        var lines = 0
        for round in 0..<20_000 {
            var bytes = Array(Self.seeds.randomElement(using: &rng)!.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let position = Int.random(in: 0...bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0 where position < bytes.count: bytes.remove(at: position)
                case 1: bytes.insert(Self.alphabet.randomElement(using: &rng)!, at: position)
                case 2 where position < bytes.count: bytes[position] = Self.alphabet.randomElement(using: &rng)!
                default: bytes = Array(bytes.prefix(position))
                }
            }
            // One message per packet, so every packet is exactly one accept or one error.
            bytes.removeAll { $0 == UInt8(ascii: "\n") }
            if bytes.isEmpty || bytes.allSatisfy({ $0 == UInt8(ascii: "\r") }) { continue }
            lines += 1
            let before = server.totals()
            bytes.withUnsafeBytes { server.ingest($0, now: 1_700_000_000 + Double(round / 100)) }
            let after = server.totals()
            let accepted = after.metrics > before.metrics || after.events > before.events
                || after.serviceChecks > before.serviceChecks
            let rejected = after.parseErrors > before.parseErrors
            #expect(accepted || rejected, "neither accepted nor counted: \(String(decoding: bytes, as: UTF8.self))")
            if round % 1000 == 0 { _ = server.flush(now: 1_700_000_000 + Double(round / 100) + 20, force: false) }
        }
        #expect(lines > 15_000)
        _ = server.flush(now: 1_800_000_000, force: true)
    }
}
