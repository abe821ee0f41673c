import CZlib
import CZstd

/// Turns a layer blob, fed in pieces as it streams in, into tar bytes. The
/// compression is recognised from the first bytes rather than trusted from the
/// media type, since registries and `ctr import` are not always consistent:
/// gzip (1f 8b), zstd (28 b5 2f fd) or plain tar.
public final class LayerDecompressor {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private enum Codec { case undecided, plain, gzip, zstd }

    private var codec = Codec.undecided
    private var head: [UInt8] = []
    private var zlib: UnsafeMutablePointer<z_stream>?
    private var zstd: OpaquePointer?
    private var output = [UInt8](repeating: 0, count: 1 << 17)
    private var finished = false

    public init() {}

    deinit {
        if let zlib {
            inflateEnd(zlib)
            zlib.deallocate()
        }
        if let zstd { ZSTD_freeDStream(zstd) }
    }

    /// The compression found, for reports ("gzip", "zstd", "tar"); "" before any byte.
    public var compression: String {
        switch codec {
        case .undecided: ""
        case .plain: "tar"
        case .gzip: "gzip"
        case .zstd: "zstd"
        }
    }

    /// Feeds compressed bytes; `sink` receives decompressed ones (borrowed for the call).
    public func feed(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        if codec == .undecided {
            head.append(contentsOf: input)
            guard head.count >= 4 else { return }
            try decide()
            let pending = head
            head = []
            try pending.withUnsafeBytes { try feedDecided($0, sink) }
            return
        }
        try feedDecided(input, sink)
    }

    /// Ends the stream; fails when a compressed stream stopped short.
    public func finish(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        if codec == .undecided {
            // Shorter than any compressed header: plain bytes (an empty layer is 1024 zero bytes, so this is rare).
            codec = .plain
            let pending = head
            head = []
            try pending.withUnsafeBytes { try sink($0) }
            return
        }
        if codec != .plain && !finished {
            throw Failure(description: "\(compression) stream ended before its end marker (truncated layer)")
        }
    }

    private func decide() throws {
        if head[0] == 0x1f && head[1] == 0x8b {
            codec = .gzip
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            // 16 + 15: a gzip wrapper and the largest window.
            guard inflateInit2_(stream, 16 + 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                stream.deallocate()
                throw Failure(description: "cannot initialise zlib")
            }
            zlib = stream
        } else if head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd {
            codec = .zstd
            guard let stream = ZSTD_createDStream() else { throw Failure(description: "zstd: out of memory") }
            ZSTD_initDStream(stream)
            zstd = stream
        } else {
            codec = .plain
        }
    }

    private func feedDecided(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard input.count > 0 else { return }
        switch codec {
        case .undecided: return
        case .plain: try sink(input)
        case .gzip: try inflateGzip(input, sink)
        case .zstd: try decompressZstd(input, sink)
        }
    }

    private func inflateGzip(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let stream = zlib else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        while stream.pointee.avail_in > 0 {
            if finished {
                // Concatenated gzip members are one stream (RFC 1952 §2.2): start the next.
                guard inflateReset(stream) == Z_OK else { throw Failure(description: "gzip: cannot start the next member") }
                finished = false
            }
            let result: Int32 = try output.withUnsafeMutableBytes { out in
                stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(out.count)
                let result = inflate(stream, Z_NO_FLUSH)
                let produced = out.count - Int(stream.pointee.avail_out)
                if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: out[0..<produced])) }
                return result
            }
            if result == Z_STREAM_END { finished = true; continue }
            if result == Z_BUF_ERROR { continue }
            guard result == Z_OK else {
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "error \(result)"
                throw Failure(description: "gzip: \(message)")
            }
        }
    }

    private func decompressZstd(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let stream = zstd else { return }
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while inBuffer.pos < inBuffer.size {
            let result: Int = try output.withUnsafeMutableBytes { out in
                var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                let result = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                if ZSTD_isError(result) == 0 && outBuffer.pos > 0 {
                    try sink(UnsafeRawBufferPointer(rebasing: out[0..<outBuffer.pos]))
                }
                return result
            }
            if ZSTD_isError(result) != 0 { throw Failure(description: "zstd: " + String(cString: ZSTD_getErrorName(result))) }
            // 0: a frame ended; more frames may follow.
            finished = result == 0
        }
    }
}
