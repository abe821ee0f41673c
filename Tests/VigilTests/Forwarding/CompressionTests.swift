import Foundation
import Testing
@testable import VigilForwarding

@Suite struct CompressionTests {
    let sample: [UInt8] = Array((0..<20_000).map { "series \($0 % 97) value \($0)\n" }.joined().utf8)

    @Test(arguments: ContentEncoding.allCases)
    func roundTrips(_ encoding: ContentEncoding) throws {
        let compressed = try encoding.compress(sample)
        #expect(compressed.count < sample.count / 3)
        #expect(try encoding.decompress(compressed) == sample)
    }

    @Test(arguments: ContentEncoding.allCases)
    func emptyInputRoundTrips(_ encoding: ContentEncoding) throws {
        #expect(try encoding.decompress(try encoding.compress([])) == [])
    }

    @Test(arguments: ContentEncoding.allCases)
    func garbageIsAnErrorNotACrash(_ encoding: ContentEncoding) {
        #expect(throws: CompressionError.self) { try encoding.decompress(Array("definitely not compressed".utf8)) }
    }

    @Test(arguments: ContentEncoding.allCases)
    func decompressionIsBounded(_ encoding: ContentEncoding) throws {
        let compressed = try encoding.compress(sample)
        #expect(throws: CompressionError.self) { try encoding.decompress(compressed, limit: 1000) }
    }

    @Test func headerTokensFollowTheDocumentedValues() {
        #expect(ContentEncoding.zstd.headerValue == "zstd1")
        #expect(ContentEncoding(header: "zstd1") == .zstd)
        #expect(ContentEncoding(header: "zstd") == .zstd)
        #expect(ContentEncoding(header: "Deflate") == .deflate)
        #expect(ContentEncoding(header: "br") == nil)
    }

    @Test func deflateIsZlibWrapped() throws {
        // RFC 1950 header: CMF 0x78 for deflate with a 32 KiB window.
        #expect(try ContentEncoding.deflate.compress(sample).first == 0x78)
    }
}
