import CVigilSystem
import Foundation
import Synchronization
import VigilModel

/// Reads datagrams (Unix or UDP) in batches with recvmmsg and either queues
/// them for the workers or parses them in place on this thread. One reader
/// thread per socket.
final class DatagramListener: @unchecked Sendable {
    let fd: Int32
    let index: UInt8
    let counters: ListenerCounters
    private let serverCounters: DogStatsDCounters
    private let delivery: ReaderDelivery<MessageProcessor>
    private let bufferSize: Int
    private let stopping = Atomic<Bool>(false)
    private var thread: JoinableThread?
    private let heartbeat: Heartbeat?
    static let batchSize = 32

    init(fd: Int32, index: UInt8, counters: ListenerCounters, serverCounters: DogStatsDCounters,
         delivery: ReaderDelivery<MessageProcessor>, bufferSize: Int, heartbeat: Heartbeat? = nil) {
        self.fd = fd
        self.heartbeat = heartbeat
        self.delivery = delivery
        self.index = index
        self.counters = counters
        self.serverCounters = serverCounters
        self.bufferSize = bufferSize
        SocketSupport.setReceiveTimeout(fd, seconds: 0.2)
    }

    func start() {
        thread = JoinableThread(name: "dogstatsd-\(counters.name)") { [self] in run() }
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        shutdown(fd, Int32(SHUT_RDWR))
        thread?.join()
        close(fd)
    }

    private func run() {
        guard let batch = vigil_recv_batch_create(Int32(Self.batchSize), Int32(bufferSize)) else {
            counters.readErrors.add(1, ordering: .relaxed)
            return
        }
        defer { vigil_recv_batch_destroy(batch) }
        while !stopping.load(ordering: .relaxed) {
            heartbeat?.beat()
            // Past the wait, a stalled worker costs counted drops here, not a stalled socket.
            if case let .queue(ring) = delivery { ring.waitForSpace(Self.batchSize, timeout: 0.1) }
            let n = Int(vigil_recv_batch_receive(fd, batch))
            if n < 0 {
                if errno != EAGAIN && errno != EWOULDBLOCK && !stopping.load(ordering: .relaxed) {
                    counters.readErrors.add(1, ordering: .relaxed)
                }
                continue
            }
            var bytes = 0
            var truncated = 0
            var dropped = 0
            switch delivery {
            case let .parse(processor):
                // Parsed straight from the receive buffers: no copy, no hand-off.
                let now = WallClock.now()
                forEachDatagram(batch, count: Int32(n), bytes: &bytes, truncated: &truncated) { data, length, pid in
                    processor.process(UnsafeRawBufferPointer(start: data, count: length), listener: Int(index), pid: pid,
                                      now: now)
                }
            case let .queue(ring):
                ring.produce { producer in
                    forEachDatagram(batch, count: Int32(n), bytes: &bytes, truncated: &truncated) { data, length, pid in
                        if !producer.push(data, length: length, pid: pid, listener: index) { dropped += 1 }
                    }
                }
            }
            // Each datagram queued after a drop carries the socket's running drop count.
            for i in stride(from: Int32(n) - 1, through: 0, by: -1) {
                let drops = vigil_recv_batch_drops(batch, i)
                if drops >= 0 {
                    counters.kernelDrops.store(Int(drops), ordering: .relaxed)
                    break
                }
            }
            counters.packets.add(n, ordering: .relaxed)
            counters.bytes.add(bytes, ordering: .relaxed)
            if dropped > 0 { counters.queueDrops.add(dropped, ordering: .relaxed) }
            for _ in 0..<truncated { serverCounters.count(.packetTruncated) }
        }
    }

    /// Calls `body` for each complete, non-empty datagram of the last
    /// receive, adding up bytes and counting truncated ones.
    @inline(__always)
    private func forEachDatagram(_ batch: OpaquePointer, count n: Int32, bytes: inout Int, truncated: inout Int,
                                 _ body: (UnsafePointer<UInt8>, Int, Int32) -> Void) {
        for i in 0..<n {
            let length = Int(vigil_recv_batch_length(batch, i))
            bytes += length
            if vigil_recv_batch_truncated(batch, i) != 0 {
                truncated += 1
                continue
            }
            if length > 0 { body(vigil_recv_batch_data(batch, i), length, vigil_recv_batch_pid(batch, i)) }
        }
    }
}
