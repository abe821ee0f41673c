import CZlib

/// zlib-wrapped deflate (RFC 1950), which is what HTTP's `deflate` token
/// means and what Datadog's intake accepts.
enum DeflateCodec {
    static func compress(_ input: [UInt8]) throws -> [UInt8] {
        var bound = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(bound))
        let status = input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                compress2(dst.baseAddress, &bound, src.baseAddress, uLong(src.count), 6)
            }
        }
        guard status == Z_OK else { throw CompressionError("deflate: zlib error \(status)") }
        output.removeLast(output.count - Int(bound))
        return output
    }

    static func decompress(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CompressionError("deflate: cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 17)
        var input = input
        let status: Int32 = input.withUnsafeMutableBufferPointer { src in
            stream.next_in = src.baseAddress
            stream.avail_in = uInt(src.count)
            while true {
                let (result, produced) = chunk.withUnsafeMutableBufferPointer { dst -> (Int32, Int) in
                    stream.next_out = dst.baseAddress
                    stream.avail_out = uInt(dst.count)
                    let r = inflate(&stream, Z_NO_FLUSH)
                    return (r, dst.count - Int(stream.avail_out))
                }
                output += chunk[0..<produced]
                if output.count > limit { return Z_BUF_ERROR }
                if result == Z_STREAM_END { return Z_OK }
                if result != Z_OK { return result }
                if produced == 0 && stream.avail_in == 0 { return Z_DATA_ERROR }
            }
        }
        guard status == Z_OK else { throw CompressionError("deflate: invalid or oversized stream (zlib \(status))") }
        return output
    }
}
