import Testing
import VigilModel

/// Context identity: the properties aggregation relies on.
@Suite struct ContextKeyTests {
    @Test func tagOrderAndRepeatsDoNotChangeTheContext() {
        let a = ContextKey(name: "m", host: "h", tags: ["env:prod", "team:a", "az:1"])
        #expect(a == ContextKey(name: "m", host: "h", tags: ["az:1", "env:prod", "team:a"]))
        #expect(a == ContextKey(name: "m", host: "h", tags: ["team:a", "az:1", "env:prod", "team:a", "az:1"]))
        // Past 16 tags the sort-based path must agree with the pairwise one.
        let many = (0..<40).map { "t\($0):v" }
        #expect(ContextKey(name: "m", host: "h", tags: many) == ContextKey(name: "m", host: "h", tags: many.reversed() + many))
    }

    @Test func nameHostAndEveryTagCount() {
        let base = ContextKey(name: "m", host: "h", tags: ["a:1"])
        #expect(base != ContextKey(name: "n", host: "h", tags: ["a:1"]))
        #expect(base != ContextKey(name: "m", host: "g", tags: ["a:1"]))
        #expect(base != ContextKey(name: "m", host: "h", tags: ["a:2"]))
        #expect(base != ContextKey(name: "m", host: "h", tags: []))
        #expect(base != ContextKey(name: "m", host: "h", tags: ["a:1", "b:1"]))
        // Moving a character between name and host is another context.
        #expect(ContextKey(name: "ab", host: "c", tags: []) != ContextKey(name: "a", host: "bc", tags: []))
    }

    @Test func byteAndStringHashesAgreeForEveryTailLength() {
        // The hash reads 8 bytes at a time and a 1-7 byte tail in two ways.
        for length in 0...40 {
            let text = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            var copy = text
            let fromBytes = copy.withUTF8 { ContextKey.tagHash(UnsafeRawBufferPointer($0)) }
            #expect(fromBytes == ContextKey.tagHash(text), "length \(length)")
        }
    }

    @Test func distinctInputsRarelyCollide() {
        var seen = Set<UInt64>()
        for i in 0..<50_000 { seen.insert(ContextKey(name: "metric.\(i % 100)", host: "h", tags: ["id:\(i)"]).value) }
        #expect(seen.count == 50_000)
        // Tails differing in one byte at every position.
        var tails = Set<UInt64>()
        for position in 0..<15 {
            var bytes = [UInt8](repeating: 65, count: 15)
            bytes[position] = 66
            tails.insert(ContextKey.hash(String(decoding: bytes, as: UTF8.self)))
        }
        #expect(tails.count == 15)
    }

    @Test func fnvIsStableAcrossRuns() {
        // Check ids outlive the process: the digest is a fixed function.
        #expect(ContextKey.fnv1a("", seed: ContextKey.offsetBasis) == 0xcbf2_9ce4_8422_2325)
        #expect(ContextKey.fnv1a("a", seed: ContextKey.offsetBasis) == 0xaf63_dc4c_8601_ec8c)
    }
}
