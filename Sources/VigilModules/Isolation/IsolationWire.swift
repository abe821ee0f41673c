import Foundation
import Synchronization

/// The framing between the agent and a `vigil module-host` child over a
/// socketpair. Each frame is `[u32 length][u8 kind][u32 request][payload]`,
/// little-endian, `length` counting everything after itself. A host-table
/// call is one frame: `submit_metrics` sends the module's whole batch at
/// once, so the cost per sample is its bytes, not a system call.
/// Both ends are the same binary, so the format needs no version.
enum FrameKind: UInt8 {
    // Agent → child: the module's entry points, answered by `.done`.
    case configure = 1, run, start, stop, destroy
    /// The answer to a child's synchronous host call.
    case reply = 6
    /// Entity events for one subscription (a subscriber's callback).
    case entityEvents = 7

    // Child → agent.
    case done = 20
    // One-way host calls (order kept: submissions made in a run arrive before its `.done`).
    case metrics = 21, serviceCheck, event, log, setReady, publishEntity, removeEntity, connection
    // Host calls the child waits on; answered by `.reply` with the same request number.
    case configValue = 40, entityTags, getEntity, listEntities, subscribe, unsubscribe, gateSet, gateState
}

struct Frame {
    var kind: FrameKind
    var request: UInt32
    var payload: [UInt8]
}

/// Appends values to a frame's payload. Strings carry a terminating NUL so
/// the receiver can hand C pointers into the buffer without copying.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
        bytes.append(0)
    }

    /// A C string (or NULL, written as length 0xFFFFFFFF).
    mutating func cString(_ p: UnsafePointer<CChar>?) {
        guard let p else { return u32(.max) }
        let n = strlen(p)
        u32(UInt32(n))
        p.withMemoryRebound(to: UInt8.self, capacity: n) { bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
        bytes.append(0)
    }

    mutating func optionalString(_ s: String?) {
        if let s { string(s) } else { u32(.max) }
    }

    mutating func cStrings(_ array: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int) {
        u32(UInt32(count))
        for i in 0..<count { cString(array?[i]) }
    }

    mutating func strings(_ list: [String]) {
        u32(UInt32(list.count))
        for s in list { string(s) }
    }
}

/// Reads a payload written by `ByteWriter`. Every read is bounds-checked:
/// a short or corrupt frame throws rather than reads past the buffer.
struct ByteReader {
    struct Truncated: Error {}
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private mutating func take(_ n: Int) throws(Truncated) -> Int {
        guard n >= 0, offset + n <= bytes.count else { throw Truncated() }
        defer { offset += n }
        return offset
    }

    mutating func u8() throws(Truncated) -> UInt8 { bytes[try take(1)] }
    mutating func u32() throws(Truncated) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4), as: UInt32.self)) }
    mutating func u64() throws(Truncated) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(8), as: UInt64.self)) }
    mutating func i64() throws(Truncated) -> Int64 { Int64(bitPattern: try u64()) }
    mutating func f64() throws(Truncated) -> Double { Double(bitPattern: try u64()) }

    /// A pointer to a NUL-terminated string inside the buffer (nil for NULL).
    mutating func cString() throws(Truncated) -> UnsafePointer<CChar>? {
        let n = try u32()
        if n == .max { return nil }
        let start = try take(Int(n) + 1)
        guard bytes[start + Int(n)] == 0 else { throw Truncated() }
        return (bytes.baseAddress! + start).assumingMemoryBound(to: CChar.self)
    }

    mutating func string() throws(Truncated) -> String {
        guard let p = try cString() else { throw Truncated() }
        return String(cString: p)
    }

    mutating func optionalString() throws(Truncated) -> String? { try cString().map { String(cString: $0) } }

    mutating func strings() throws(Truncated) -> [String] {
        let n = Int(try u32())
        guard n <= bytes.count else { throw Truncated() }
        return try (0..<n).map { _ throws(Truncated) in try string() }
    }

    /// `count` string pointers into the buffer, for a C `const char *const *`.
    mutating func cStrings() throws(Truncated) -> [UnsafePointer<CChar>?] {
        let n = Int(try u32())
        guard n <= bytes.count else { throw Truncated() }
        return try (0..<n).map { _ throws(Truncated) in try cString() }
    }
}

/// One end of the socketpair. Frames are written whole under a lock, so
/// any thread may send; one thread receives.
final class FrameChannel: Sendable {
    let fd: Int32
    private let writeLock = Mutex<Void>(())
    /// The largest frame accepted: a corrupt length must not allocate gigabytes.
    static let maxFrame = 64 << 20

    init(fd: Int32) { self.fd = fd }

    deinit { Glibc.close(fd) }

    /// False when the other end is gone.
    @discardableResult
    func send(_ kind: FrameKind, request: UInt32 = 0, _ payload: [UInt8] = []) -> Bool {
        var header = ByteWriter()
        header.u32(UInt32(5 + payload.count))
        header.u8(kind.rawValue)
        header.u32(request)
        return writeLock.withLock { _ in
            writeAll(header.bytes) && (payload.isEmpty || writeAll(payload))
        }
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buf in
            var done = 0
            while done < buf.count {
                let n = Glibc.send(fd, buf.baseAddress! + done, buf.count - done, Int32(MSG_NOSIGNAL))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return false }
                done += n
            }
            return true
        }
    }

    /// The next frame, or nil at end of stream (or a frame that makes no sense).
    func receive() -> Frame? {
        var header = [UInt8](repeating: 0, count: 9)
        guard readAll(&header, 9) else { return nil }
        let length = header.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
        guard length >= 5, length - 5 <= Self.maxFrame, let kind = FrameKind(rawValue: header[4]) else { return nil }
        let request = header.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 5, as: UInt32.self)) }
        var payload = [UInt8](repeating: 0, count: length - 5)
        guard payload.isEmpty || readAll(&payload, payload.count) else { return nil }
        return Frame(kind: kind, request: request, payload: payload)
    }

    private func readAll(_ buffer: inout [UInt8], _ count: Int) -> Bool {
        buffer.withUnsafeMutableBytes { buf in
            var done = 0
            while done < count {
                let n = recv(fd, buf.baseAddress! + done, count - done, 0)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return false }
                done += n
            }
            return true
        }
    }

    /// Ends the stream both ways: the receiving thread wakes up with nil.
    func hangUp() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
}
