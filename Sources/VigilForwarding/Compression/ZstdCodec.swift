import CZstd

/// One-shot zstd through libzstd. Level 1: the forwarder compresses every
/// flush, and level 1 keeps most of the ratio at a fraction of the time.
enum ZstdCodec {
    static let level: Int32 = 1

    static func compress(_ input: [UInt8]) throws -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                ZSTD_compress(dst.baseAddress, bound, src.baseAddress, src.count, level)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw CompressionError("zstd: " + String(cString: ZSTD_getErrorName(written)))
        }
        output.removeLast(bound - written)
        return output
    }

    /// Streams, so frames without a recorded content size decode too.
    static func decompress(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        guard let stream = ZSTD_createDStream() else { throw CompressionError("zstd: out of memory") }
        defer { ZSTD_freeDStream(stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 17)
        try input.withUnsafeBytes { src in
            var inBuffer = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            var lastResult = 1
            while true {
                let produced: Int = try chunk.withUnsafeMutableBytes { dst in
                    var outBuffer = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let result = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                    if ZSTD_isError(result) != 0 {
                        throw CompressionError("zstd: " + String(cString: ZSTD_getErrorName(result)))
                    }
                    lastResult = result
                    return outBuffer.pos
                }
                output += chunk[0..<produced]
                if output.count > limit { throw CompressionError("zstd: decompressed size over \(limit) bytes") }
                if inBuffer.pos == inBuffer.size && produced < chunk.count { break }
            }
            if lastResult != 0 { throw CompressionError("zstd: truncated frame") }
        }
        return output
    }
}
