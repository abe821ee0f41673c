import Foundation

/// How many datagrams a Unix datagram socket queues before senders get EAGAIN
/// (and non-blocking clients drop). Linux fixes that length when the socket is
/// created, from `net.unix.max_dgram_qlen` of the network namespace (10 unless
/// raised), and offers no per-socket option. So the socket is created with the
/// sysctl raised to the configured length for an instant, then restored.
///
/// Trade-off: sockets that other processes of the namespace create during those
/// microseconds get the longer queue too (more kernel memory at most, charged
/// to their senders' send buffers), and two agents starting at the same instant
/// could leave the raised value behind. Without the right to write the sysctl
/// (not root, or /proc/sys read-only in a container), the system's length is
/// kept and reported.
enum UnixDatagramQueue {
    static let sysctlPath = "/proc/sys/net/unix/max_dgram_qlen"

    struct Outcome: Equatable {
        /// The queue length the socket was created with.
        var length: Int
        /// Why it is not the wanted length, if it is not.
        var note: String?
    }

    /// Runs `create` (which must create the socket) with the queue length at
    /// least `wanted`; 0 keeps the system's length.
    static func creating<T>(wanted: Int, sysctl: String = sysctlPath,
                            _ create: () throws(DogStatsDError) -> T) throws(DogStatsDError) -> (T, Outcome) {
        guard let current = read(sysctl) else {
            return (try create(), Outcome(length: 0, note: "\(sysctl) is unreadable; the system's length applies"))
        }
        guard wanted > current else {
            return (try create(), Outcome(length: current, note: wanted == 0 ? nil
                        : "the system's length (\(current)) is already at least \(wanted)"))
        }
        guard write(wanted, to: sysctl) else {
            return (try create(), Outcome(length: current,
                        note: "could not raise \(sysctl) to \(wanted) (\(String(cString: strerror(errno)))); run as root or raise it on the host"))
        }
        defer { _ = write(current, to: sysctl) }
        return (try create(), Outcome(length: wanted))
    }

    static func read(_ path: String) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return Int(String(decoding: handle.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func write(_ value: Int, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let text = Array("\(value)\n".utf8)
        return text.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) } == text.count
    }
}
