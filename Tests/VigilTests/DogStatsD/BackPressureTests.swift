import CVigilSystem
import Foundation
import Testing
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

/// Overload is visible and cheap: a reader waits for queue space instead of
/// reading packets it would have to drop, and what the kernel then drops on
/// a UDP socket is counted.
@Suite struct BackPressureTests {
    @Test func readerWaitsForSpaceUntilAWorkerReleasesSlots() throws {
        let ring = PacketRing(capacity: 2, slotSize: 16)
        let bytes: [UInt8] = Array("x:1|c".utf8)
        let pushed = bytes.withUnsafeBytes { raw in
            ring.produce { p in
                (p.push(raw.baseAddress!, length: raw.count, pid: -1, listener: 0),
                 p.push(raw.baseAddress!, length: raw.count, pid: -1, listener: 0),
                 p.push(raw.baseAddress!, length: raw.count, pid: -1, listener: 0))
            }
        }
        #expect(pushed == (true, true, false))
        #expect(ring.waitForSpace(1, timeout: 0.05) == false)

        final class Outcome: @unchecked Sendable { var gotSpace = false }
        let outcome = Outcome()
        let waiter = JoinableThread(name: "waiter") { outcome.gotSpace = ring.waitForSpace(2, timeout: 10) }
        var packets: [PacketRing.Packet] = []
        #expect(ring.take(into: &packets, max: 8))
        #expect(packets.count == 2)
        let start = Date()
        ring.release(packets)
        waiter.join()
        #expect(outcome.gotSpace)
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func udpDropsInTheKernelAreCounted() throws {
        let receiver = try SocketSupport.bindUDP(port: 0, anyAddress: false)
        defer { close(receiver) }
        var small = Int32(2048)
        setsockopt(receiver, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        #expect(vigil_enable_drop_count(receiver) == 0)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(receiver, $0, &length) }
        }
        let sender = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(sender) }
        let payload = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        func send(_ count: Int) {
            for _ in 0..<count {
                _ = payload.withUnsafeBytes { raw in
                    withUnsafePointer(to: &address) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(sender, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                        }
                    }
                }
            }
        }
        send(200)
        SocketSupport.setReceiveTimeout(receiver, seconds: 0.1)
        let batch = try #require(vigil_recv_batch_create(4, 2048))
        defer { vigil_recv_batch_destroy(batch) }
        // Drain what fitted, then send one more: the kernel stamps a datagram
        // with the socket's drop count as it queues it.
        var queued = 0
        while case let n = vigil_recv_batch_receive(receiver, batch), n > 0 { queued += Int(n) }
        #expect(queued >= 1 && queued < 100)
        send(1)
        let n = vigil_recv_batch_receive(receiver, batch)
        #expect(n == 1)
        #expect(vigil_recv_batch_length(batch, 0) == 1000)
        #expect(vigil_recv_batch_drops(batch, 0) == Int64(200 - queued))
    }
}
