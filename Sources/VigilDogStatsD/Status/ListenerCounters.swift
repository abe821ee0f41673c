import Synchronization
import VigilModel

/// What one listener received and lost.
final class ListenerCounters: Sendable {
    let name: String
    /// Where it listens: a socket path or an address and port.
    let address: String
    /// Settings worth showing beside the counters (e.g. the socket's queue length).
    let details: [(String, JSONValue)]
    let packets = Atomic<Int>(0)
    let bytes = Atomic<Int>(0)
    let metrics = Atomic<Int>(0)
    let events = Atomic<Int>(0)
    let serviceChecks = Atomic<Int>(0)
    /// Packets dropped because the queue to the workers was full.
    let queueDrops = Atomic<Int>(0)
    /// Datagrams the kernel dropped because the socket's receive buffer was
    /// full (UDP, from SO_RXQ_OVFL). A Unix datagram sender is made to wait
    /// or gets EAGAIN instead, so this stays 0 there.
    let kernelDrops = Atomic<Int>(0)
    let readErrors = Atomic<Int>(0)
    let connections = Atomic<Int>(0)

    init(name: String, address: String = "", details: [(String, JSONValue)] = []) {
        self.name = name
        self.address = address
        self.details = details
    }

    var json: JSONValue {
        .object([("address", .string(address))] + details + [
            ("packets", .int(Int64(packets.load(ordering: .relaxed)))),
            ("bytes", .int(Int64(bytes.load(ordering: .relaxed)))),
            ("metrics", .int(Int64(metrics.load(ordering: .relaxed)))),
            ("events", .int(Int64(events.load(ordering: .relaxed)))),
            ("service_checks", .int(Int64(serviceChecks.load(ordering: .relaxed)))),
            ("queue_drops", .int(Int64(queueDrops.load(ordering: .relaxed)))),
            ("kernel_drops", .int(Int64(kernelDrops.load(ordering: .relaxed)))),
            ("read_errors", .int(Int64(readErrors.load(ordering: .relaxed)))),
            ("connections", .int(Int64(connections.load(ordering: .relaxed)))),
        ])
    }
}
