import Foundation

/// How a payload body is compressed. Datadog's v2 series API documents
/// `zstd1` and `deflate` as `Content-Encoding` values; zstd is preferred
/// (smaller, faster), deflate is the fallback for intakes that refuse it.
/// Prometheus remote write requires snappy's block format.
public enum ContentEncoding: String, Sendable, CaseIterable {
    case zstd
    case deflate
    case snappy

    /// The token announced in the `Content-Encoding` header.
    public var headerValue: String {
        switch self {
        case .zstd: "zstd1"
        case .deflate: "deflate"
        case .snappy: "snappy"
        }
    }

    /// Accepts the header tokens and the config spellings.
    public init?(header: String) {
        switch header.lowercased().trimmingCharacters(in: .whitespaces) {
        case "zstd", "zstd1": self = .zstd
        case "deflate": self = .deflate
        case "snappy": self = .snappy
        default: return nil
        }
    }

    public func compress(_ data: [UInt8]) throws -> [UInt8] {
        switch self {
        case .zstd: try ZstdCodec.compress(data)
        case .deflate: try DeflateCodec.compress(data)
        case .snappy: try SnappyCodec.compress(data)
        }
    }

    /// `limit` bounds the output so a hostile or corrupt body cannot
    /// exhaust memory.
    public func decompress(_ data: [UInt8], limit: Int = 64 << 20) throws -> [UInt8] {
        switch self {
        case .zstd: try ZstdCodec.decompress(data, limit: limit)
        case .deflate: try DeflateCodec.decompress(data, limit: limit)
        case .snappy: try SnappyCodec.decompress(data, limit: limit)
        }
    }
}

public struct CompressionError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
