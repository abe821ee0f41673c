import ContainerdImageIndex
import Testing

/// Digests kept in 32 bytes: the same text back, the same order as the text, and any form
/// that is not `sha256:` with 64 lowercase hex digits kept as it came.
@Suite struct CompactDigestTests {
    static let samples = [
        "sha256:" + String(repeating: "0", count: 64),
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "sha256:f" + String(repeating: "0", count: 63),
        "sha256:" + String(repeating: "f", count: 64),
        "sha256:00000000000000010000000000000000000000000000000000000000000000ff",
    ]

    @Test func sha256IsHeldInWordsAndReadBackAsItCame() {
        for text in Self.samples {
            let digest = CompactDigest(text)
            guard case .sha256 = digest else {
                Issue.record("\(text) not held in words")
                continue
            }
            #expect(digest.string == text)
            #expect(CompactDigest(digest.string) == digest)
        }
    }

    @Test func theOrderIsTheTextsOrder() {
        let texts = Self.samples + ["sha512:00", "md5:abc", "sha256:ABCDEF"]
        let digests = texts.map(CompactDigest.init)
        #expect(digests.sorted().map(\.string) == texts.sorted())
    }

    @Test func otherFormsAreKeptAsText() {
        for text in ["sha256:" + String(repeating: "A", count: 64), "sha256:abc", "sha512:" + String(repeating: "a", count: 128),
                     "sha256:" + String(repeating: "g", count: 64), "", "sha256:" + String(repeating: "a", count: 65)] {
            #expect(CompactDigest(text) == .text(text))
            #expect(CompactDigest(text).string == text)
        }
    }
}
