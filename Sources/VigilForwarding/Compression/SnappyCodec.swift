import CSnappy

/// Snappy's block format (not the framed stream format), which is what
/// Prometheus remote write's `Content-Encoding: snappy` means.
enum SnappyCodec {
    static func compress(_ input: [UInt8]) throws -> [UInt8] {
        var length = snappy_max_compressed_length(input.count)
        var output = [UInt8](repeating: 0, count: length)
        let status = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                snappy_compress(src.baseAddress?.assumingMemoryBound(to: CChar.self), src.count,
                                dst.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
            }
        }
        guard status == SNAPPY_OK else { throw CompressionError("snappy: compression failed (\(status.rawValue))") }
        output.removeLast(output.count - length)
        return output
    }

    static func decompress(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        var length = 0
        let sized = input.withUnsafeBytes { src in
            snappy_uncompressed_length(src.baseAddress?.assumingMemoryBound(to: CChar.self), src.count, &length)
        }
        guard sized == SNAPPY_OK else { throw CompressionError("snappy: not a snappy block") }
        guard length <= limit else { throw CompressionError("snappy: decompressed size over \(limit) bytes") }
        var output = [UInt8](repeating: 0, count: length)
        let status = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                snappy_uncompress(src.baseAddress?.assumingMemoryBound(to: CChar.self), src.count,
                                  dst.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
            }
        }
        guard status == SNAPPY_OK else { throw CompressionError("snappy: corrupt block (\(status.rawValue))") }
        return output
    }
}
