import Foundation
import Testing
@testable import VigilDogStatsD

/// The Unix datagram socket's queue length, against the real kernel: a
/// socket created through UnixDatagramQueue holds as many datagrams as asked
/// before a non-blocking sender gets EAGAIN, and the sysctl is restored.
@Suite(.serialized) struct UnixDatagramQueueTests {
    static var isRoot: Bool { getuid() == 0 }

    /// Sends 1-byte datagrams without blocking until the socket refuses one; returns how many it took.
    func capacity(of path: String) throws -> Int {
        let sender = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(sender) }
        // A send buffer large enough that the receiver's queue, not this buffer, is the limit.
        var sendBuffer: Int32 = 8 << 20
        setsockopt(sender, SOL_SOCKET, SO_SNDBUFFORCE, &sendBuffer, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        var sent = 0
        while sent < 100_000 {
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(sender, "x", 1, Int32(MSG_DONTWAIT), $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if rc < 0 { break }
            sent += 1
        }
        return sent
    }

    func bind(_ path: String) throws(DogStatsDError) -> Int32 {
        try SocketSupport.bindUnix(path: path, type: Int32(SOCK_DGRAM.rawValue), mode: 0o700)
    }

    @Test(.enabled(if: isRoot)) func raisedQueueHoldsWhatWasAskedAndTheSysctlIsRestored() throws {
        let system = try #require(UnixDatagramQueue.read(UnixDatagramQueue.sysctlPath))
        let wanted = system + 300
        let directory = NSTemporaryDirectory() + "vigil-qlen-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let (raised, outcome) = try UnixDatagramQueue.creating(wanted: wanted) { () throws(DogStatsDError) in
            try bind(directory + "/raised.sock")
        }
        defer { close(raised) }
        #expect(outcome == UnixDatagramQueue.Outcome(length: wanted, note: nil))
        #expect(UnixDatagramQueue.read(UnixDatagramQueue.sysctlPath) == system)

        let plain = try bind(directory + "/plain.sock")
        defer { close(plain) }
        let plainCapacity = try capacity(of: directory + "/plain.sock")
        let raisedCapacity = try capacity(of: directory + "/raised.sock")
        // Linux refuses once the queue holds more than the length: length + 1 datagrams fit.
        #expect(plainCapacity == system + 1)
        #expect(raisedCapacity == wanted + 1)
    }

    @Test func lengthsTheSystemAlreadyMeetsAreLeftAlone() throws {
        let file = NSTemporaryDirectory() + "vigil-qlen-\(UUID().uuidString.prefix(8))"
        try "512\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (_, kept) = try UnixDatagramQueue.creating(wanted: 256, sysctl: file) { () throws(DogStatsDError) in 0 }
        #expect(kept.length == 512)
        let (_, zero) = try UnixDatagramQueue.creating(wanted: 0, sysctl: file) { () throws(DogStatsDError) in 0 }
        #expect(zero == UnixDatagramQueue.Outcome(length: 512, note: nil))
        // A file that cannot be written is reported, and the socket is still created.
        let (created, refused) = try UnixDatagramQueue.creating(wanted: 4096, sysctl: "/proc/version") { () throws(DogStatsDError) in 7 }
        #expect(created == 7)
        #expect(refused.length == 0 && refused.note?.contains("unreadable") == true)
    }
}
