import CVigilSystem
import Foundation
import Synchronization
import VigilModel

/// The Unix stream socket: each connection carries frames of a 4-byte
/// little-endian length followed by that many bytes of DogStatsD payload.
/// One thread accepts; each connection gets a reader thread, which either
/// queues frames for the workers or parses them itself with a processor of
/// its own.
final class StreamListener: @unchecked Sendable {
    let fd: Int32
    let index: UInt8
    let counters: ListenerCounters
    private let serverCounters: DogStatsDCounters
    private let delivery: ReaderDelivery<() -> MessageProcessor>
    private let maxFrame: Int
    private let stopping = Atomic<Bool>(false)
    private var acceptThread: JoinableThread?
    private let connections = Mutex<[Int32: JoinableThread]>([:])
    /// Beaten by the accept loop: a listener that stopped accepting makes the agent unhealthy.
    private let heartbeat: Heartbeat?

    init(fd: Int32, index: UInt8, counters: ListenerCounters, serverCounters: DogStatsDCounters,
         delivery: ReaderDelivery<() -> MessageProcessor>, maxFrame: Int, heartbeat: Heartbeat? = nil) {
        self.heartbeat = heartbeat
        self.fd = fd
        self.delivery = delivery
        self.index = index
        self.counters = counters
        self.serverCounters = serverCounters
        self.maxFrame = maxFrame
    }

    func start() throws(DogStatsDError) {
        guard listen(fd, 128) == 0 else { throw SocketSupport.fail("listen", "stream socket") }
        acceptThread = JoinableThread(name: "dogstatsd-stream-accept") { [self] in acceptLoop() }
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        shutdown(fd, Int32(SHUT_RDWR))
        acceptThread?.join()
        close(fd)
        let open = connections.withLock { $0 }
        for (client, _) in open { shutdown(client, Int32(SHUT_RDWR)) }
        for (_, thread) in open { thread.join() }
    }

    private func acceptLoop() {
        while !stopping.load(ordering: .relaxed) {
            heartbeat?.beat()
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 200) <= 0 { continue }
            let client = accept(fd, nil, nil)
            if client < 0 { continue }
            if stopping.load(ordering: .relaxed) {
                close(client)
                break
            }
            counters.connections.add(1, ordering: .relaxed)
            SocketSupport.setReceiveTimeout(client, seconds: 0.2)
            let pid = vigil_peer_pid(client)
            let thread = JoinableThread(name: "dogstatsd-stream-conn") { [self] in
                read(client: client, pid: pid)
                close(client)
                _ = connections.withLock { $0.removeValue(forKey: client) }
            }
            connections.withLock { $0[client] = thread }
        }
    }

    /// Reads frames until the peer closes, a frame is malformed, or stop.
    private func read(client: Int32, pid: Int32) {
        let capacity = maxFrame + 4 + 65536
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        var filled = 0
        let connection: ReaderDelivery<MessageProcessor> = switch delivery {
        case let .queue(ring): .queue(ring)
        case let .parse(makeProcessor): .parse(makeProcessor())
        }
        while !stopping.load(ordering: .relaxed) {
            // Leaving frames in the socket makes a fast client wait (stream back-pressure).
            if case let .queue(ring) = connection { ring.waitForSpace(1, timeout: 0.1) }
            let n = recv(client, buffer + filled, capacity - filled, 0)
            if n == 0 { return }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                counters.readErrors.add(1, ordering: .relaxed)
                return
            }
            filled += n
            counters.bytes.add(n, ordering: .relaxed)
            var offset = 0
            var frames = 0
            var dropped = 0
            var tooLarge = false
            // Walks the complete frames in the buffer, handing each to `deliver`.
            func eachFrame(_ deliver: (UnsafeRawPointer, Int) -> Void) {
                while filled - offset >= 4 {
                    let length = Int(UInt32(littleEndian: (buffer + offset).loadUnaligned(as: UInt32.self)))
                    if length > maxFrame {
                        tooLarge = true
                        return
                    }
                    guard filled - offset - 4 >= length else { break }
                    frames += 1
                    if length > 0 { deliver(buffer + offset + 4, length) }
                    offset += 4 + length
                }
            }
            switch connection {
            case let .parse(processor):
                let now = WallClock.now()
                eachFrame { frame, length in
                    processor.process(UnsafeRawBufferPointer(start: frame, count: length), listener: Int(index), pid: pid,
                                      now: now)
                }
            case let .queue(ring):
                ring.produce { producer in
                    eachFrame { frame, length in
                        if !producer.push(frame, length: length, pid: pid, listener: index) { dropped += 1 }
                    }
                }
            }
            counters.packets.add(frames, ordering: .relaxed)
            if dropped > 0 { counters.queueDrops.add(dropped, ordering: .relaxed) }
            if tooLarge {
                // The stream cannot be resynchronised after a bad length: drop the connection.
                serverCounters.count(.frameTooLarge)
                return
            }
            if offset > 0 {
                (buffer).copyMemory(from: buffer + offset, byteCount: filled - offset)
                filled -= offset
            }
        }
    }
}
