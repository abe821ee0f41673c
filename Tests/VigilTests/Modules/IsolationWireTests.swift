import Foundation
import Testing
@testable import VigilModules

/// The framing between the agent and `vigil module-host`: values round-trip,
/// C strings point into the frame, and a short, corrupt or oversized frame is
/// refused instead of read past its end.
struct IsolationWireTests {
    @Test func valuesRoundTripAndStringsPointIntoTheFrame() throws {
        var w = ByteWriter()
        w.u8(7)
        w.u32(0xDEAD_BEEF)
        w.i64(-42)
        w.f64(2.5)
        w.string("héllo")
        w.cString(nil)
        w.strings(["a:b", "", "c"])
        try w.bytes.withUnsafeBytes { bytes in
            var r = ByteReader(bytes)
            #expect(try r.u8() == 7)
            #expect(try r.u32() == 0xDEAD_BEEF)
            #expect(try r.i64() == -42)
            #expect(try r.f64() == 2.5)
            let p = try #require(try r.cString())
            #expect(String(cString: p) == "héllo")
            #expect(UnsafeRawPointer(p) >= bytes.baseAddress! && UnsafeRawPointer(p) < bytes.baseAddress! + bytes.count)
            #expect(try r.cString() == nil)
            #expect(try r.strings() == ["a:b", "", "c"])
            #expect(r.offset == bytes.count)
            #expect(throws: ByteReader.Truncated.self) { try r.u8() }
        }
    }

    @Test func truncatedOrLyingPayloadsThrow() {
        var w = ByteWriter()
        w.string("a string that will be cut")
        let cut = Array(w.bytes.dropLast(5))
        cut.withUnsafeBytes { bytes in
            var r = ByteReader(bytes)
            #expect(throws: ByteReader.Truncated.self) { try r.string() }
        }
        // A count far larger than the bytes that follow.
        var lying = ByteWriter()
        lying.u32(1_000_000)
        lying.bytes.withUnsafeBytes { bytes in
            var r = ByteReader(bytes)
            #expect(throws: ByteReader.Truncated.self) { try r.strings() }
        }
        // A string whose terminating NUL is missing.
        var unterminated = ByteWriter()
        unterminated.string("abc")
        unterminated.bytes[unterminated.bytes.count - 1] = 65
        unterminated.bytes.withUnsafeBytes { bytes in
            var r = ByteReader(bytes)
            #expect(throws: ByteReader.Truncated.self) { try r.cString() }
        }
    }

    @Test func framesCrossASocketpairWholeAndAnOversizedOneEndsTheStream() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let a = FrameChannel(fd: fds[0]), b = FrameChannel(fd: fds[1])
        let big = [UInt8](repeating: 9, count: 300_000)   // larger than the socket buffer: written in pieces
        let sender = Thread { a.send(.metrics, request: 5, big); a.send(.done, request: 6) }
        sender.start()
        let first = try #require(b.receive())
        #expect(first.kind == .metrics && first.request == 5 && first.payload == big)
        let second = try #require(b.receive())
        #expect(second.kind == .done && second.request == 6 && second.payload.isEmpty)

        // A header announcing more than FrameChannel.maxFrame: refused, not allocated.
        var header = ByteWriter()
        header.u32(UInt32(FrameChannel.maxFrame + 6))
        header.u8(FrameKind.metrics.rawValue)
        header.u32(1)
        _ = header.bytes.withUnsafeBytes { send(fds[0], $0.baseAddress, $0.count, 0) }
        #expect(b.receive() == nil)
        // The other end hung up: nil as well.
        a.hangUp()
        #expect(b.receive() == nil)
    }
}
