import CVigilSystem
import Foundation

/// The bounded queue between socket readers and workers. Its slots are
/// allocated once (capacity × packet size); readers copy a packet into a
/// free slot and workers hand slots back when done, so no packet costs an
/// allocation. A reader waits a little for free slots before it reads more
/// (`waitForSpace`), so that under overload the kernel's socket buffer,
/// not a reader spinning on packets it must drop, absorbs the excess; what
/// still finds every slot taken is dropped and counted.
final class PacketRing: @unchecked Sendable {
    let capacity: Int
    let slotSize: Int
    private let storage: UnsafeMutableRawPointer
    private let lengths: UnsafeMutablePointer<Int32>
    private let pids: UnsafeMutablePointer<Int32>
    private let listeners: UnsafeMutablePointer<UInt8>
    /// Guarded by `condition`.
    private var freeSlots: [Int32]
    private var ready: [Int32]
    private var readyHead = 0
    private var readyCount = 0
    private var closed = false
    private var producersWaiting = 0
    private let condition = NSCondition()

    init(capacity: Int, slotSize: Int) {
        self.capacity = capacity
        self.slotSize = slotSize
        storage = .allocate(byteCount: capacity * slotSize, alignment: 16)
        lengths = .allocate(capacity: capacity)
        pids = .allocate(capacity: capacity)
        listeners = .allocate(capacity: capacity)
        freeSlots = (0..<Int32(capacity)).reversed()
        ready = [Int32](repeating: 0, count: capacity)
    }

    deinit {
        storage.deallocate()
        lengths.deallocate()
        pids.deallocate()
        listeners.deallocate()
    }

    /// Producer side, used inside `produce`.
    struct Producer {
        fileprivate let ring: PacketRing
        fileprivate(set) var pushed = 0

        /// Copies one packet in; false (and nothing copied) when full.
        @inline(__always)
        mutating func push(_ data: UnsafeRawPointer, length: Int, pid: Int32, listener: UInt8) -> Bool {
            guard let slot = ring.freeSlots.popLast() else { return false }
            let n = Swift.min(length, ring.slotSize)
            ring.storage.advanced(by: Int(slot) * ring.slotSize).copyMemory(from: data, byteCount: n)
            ring.lengths[Int(slot)] = Int32(n)
            ring.pids[Int(slot)] = pid
            ring.listeners[Int(slot)] = listener
            ring.ready[(ring.readyHead + ring.readyCount) % ring.capacity] = slot
            ring.readyCount += 1
            pushed += 1
            return true
        }
    }

    /// Runs `body` with the lock held, then wakes workers for what it pushed.
    func produce<T>(_ body: (inout Producer) -> T) -> T {
        condition.lock()
        var producer = Producer(ring: self)
        let result = body(&producer)
        if producer.pushed > 0 { condition.broadcast() }
        condition.unlock()
        return result
    }

    struct Packet {
        let slot: Int32
        let bytes: UnsafeRawBufferPointer
        let pid: Int32
        let listener: UInt8
    }

    /// Moves up to `into`'s spare capacity of ready packets out, waiting for
    /// at least one. Returns false once closed and drained.
    func take(into packets: inout [Packet], max: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while readyCount == 0 {
            if closed { return false }
            condition.wait()
        }
        let n = Swift.min(max, readyCount)
        for _ in 0..<n {
            let slot = ready[readyHead]
            readyHead = (readyHead + 1) % capacity
            readyCount -= 1
            let i = Int(slot)
            packets.append(Packet(slot: slot,
                                  bytes: UnsafeRawBufferPointer(start: storage.advanced(by: i * slotSize), count: Int(lengths[i])),
                                  pid: pids[i], listener: listeners[i]))
        }
        return true
    }

    func release(_ packets: [Packet]) {
        condition.lock()
        for p in packets { freeSlots.append(p.slot) }
        if producersWaiting > 0 { condition.broadcast() }
        condition.unlock()
    }

    /// Waits until `wanted` slots are free (or the ring closes), for at
    /// most `timeout` seconds. Returns whether they are.
    @discardableResult
    func waitForSpace(_ wanted: Int, timeout: Double) -> Bool {
        let wanted = Swift.min(wanted, capacity)
        condition.lock()
        defer { condition.unlock() }
        if freeSlots.count >= wanted || closed { return true }
        let deadline = Date(timeIntervalSinceNow: timeout)
        producersWaiting += 1
        defer { producersWaiting -= 1 }
        while freeSlots.count < wanted && !closed {
            if !condition.wait(until: deadline) { break }
        }
        return freeSlots.count >= wanted
    }

    /// Workers finish what is queued, then `take` returns false.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var queued: Int {
        condition.lock()
        defer { condition.unlock() }
        return readyCount
    }
}
