import CVigilModule
import Foundation
import Synchronization
import VigilEntities
import VigilSwiftModuleKit

/// What a `vigil_host *` points to inside `vigil module-host`: the channel
/// to the agent, the calls waiting for its replies and the subscriptions
/// whose events it forwards.
final class ChildInstance: @unchecked Sendable {
    let channel: FrameChannel
    /// Set by the configure command, before the module sees the table.
    var hostname = ""

    private let replies = NSCondition()
    private var nextRequest: UInt32 = 1
    private var answers: [UInt32: [UInt8]] = [:]
    private var hungUp = false

    struct Subscriber: @unchecked Sendable {
        let callback: vigil_entity_events_fn
        let userData: UnsafeMutableRawPointer?
    }
    private let subscribers = Mutex<[UInt64: Subscriber]>([:])
    private let nextSubscription = Atomic<UInt64>(1)
    /// Held while a subscriber's callback runs, so that unsubscribe from
    /// another thread returns only once the callback is done.
    private let callbackLock = NSLock()
    nonisolated(unsafe) private var dispatchThread: Thread?

    init(channel: FrameChannel) { self.channel = channel }

    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ host: OpaquePointer) -> ChildInstance {
        Unmanaged<ChildInstance>.fromOpaque(UnsafeRawPointer(host)).takeUnretainedValue()
    }

    // MARK: calls answered by the agent

    /// Sends a host call and waits for its reply; `read` gets the reply's
    /// status and the rest of its payload. With the agent gone the call
    /// answers UNSUPPORTED (the child is about to be stopped anyway).
    func call(_ kind: FrameKind, _ payload: [UInt8],
              read: (vigil_status, inout ByteReader) throws(ByteReader.Truncated) -> Void) -> vigil_status {
        replies.lock()
        let request = nextRequest
        nextRequest &+= 1
        replies.unlock()
        guard channel.send(kind, request: request, payload) else { return VIGIL_ERROR_UNSUPPORTED }
        replies.lock()
        while answers[request] == nil, !hungUp { replies.wait() }
        let answer = answers.removeValue(forKey: request)
        replies.unlock()
        guard let answer else { return VIGIL_ERROR_UNSUPPORTED }
        return answer.withUnsafeBytes { bytes in
            var r = ByteReader(bytes)
            guard let raw = try? r.u32() else { return VIGIL_ERROR_INVALID }
            let status = vigil_status(rawValue: raw)
            do { try read(status, &r) } catch { return VIGIL_ERROR_INVALID }
            return status
        }
    }

    func deliver(reply frame: Frame) {
        replies.lock()
        answers[frame.request] = frame.payload
        replies.broadcast()
        replies.unlock()
    }

    func agentGone() {
        replies.lock()
        hungUp = true
        replies.broadcast()
        replies.unlock()
    }

    // MARK: submissions

    /// Size of a 1.0 `vigil_metric` (no series epoch).
    private static let metricSize10 = MemoryLayout<vigil_metric>.offset(of: \vigil_metric.series_epoch)!

    /// The module's batch as one frame. Samples the agent would drop are
    /// sent anyway (the agent counts them) and make this return INVALID, as
    /// in process.
    func sendMetrics(_ metrics: UnsafePointer<vigil_metric>, count: Int) -> vigil_status {
        let base = UnsafeRawPointer(metrics)
        let stride = Int(base.load(as: UInt32.self))
        guard stride >= Self.metricSize10 else { return VIGIL_ERROR_INVALID }
        var w = ByteWriter()
        w.bytes.reserveCapacity(count * 64)
        w.u32(UInt32(count))
        var refused = false
        var local = vigil_metric()
        for i in 0..<count {
            let sample = UnsafeRawBufferPointer(start: base + i * stride, count: min(stride, MemoryLayout<vigil_metric>.size))
            local = vigil_metric()
            withUnsafeMutableBytes(of: &local) { $0.copyMemory(from: sample) }
            let tagCount = local.tags == nil ? 0 : Int(local.tag_count)
            if local.name == nil || !local.value.isFinite || Self.hasControlBytes(local) { refused = true }
            w.u32(local.type)
            w.cString(local.name)
            w.f64(local.value)
            w.cStrings(local.tags, tagCount)
            w.u32(local.flags)
            w.cString(local.hostname)
            w.u64(stride >= MemoryLayout<vigil_metric>.size ? local.series_epoch : 0)
        }
        channel.send(.metrics, w.bytes)
        return refused ? VIGIL_ERROR_INVALID : VIGIL_OK
    }

    private static func hasControlBytes(_ m: vigil_metric) -> Bool {
        func bad(_ p: UnsafePointer<CChar>?) -> Bool {
            guard var p else { return false }
            while p.pointee != 0 {
                let b = UInt8(bitPattern: p.pointee)
                if b < 0x20 || b == 0x7F { return true }
                p += 1
            }
            return false
        }
        if bad(m.name) { return true }
        guard let tags = m.tags else { return false }
        return (0..<Int(m.tag_count)).contains { bad(tags[$0]) }
    }

    // MARK: entities

    /// Entities in a reply (u32 count, then each as length-prefixed JSON),
    /// each handed to `body` as C memory valid for that call.
    static func deliverEntities(_ r: inout ByteReader,
                                _ body: (UnsafePointer<vigil_entity>) -> Void) throws(ByteReader.Truncated) {
        let count = Int(try r.u32())
        for _ in 0..<count {
            let json = try r.string()
            guard let entity = try? JSONDecoder().decode(Entity.self, from: Data(json.utf8)) else { continue }
            let arena = CArena()
            body(EntityConversion.toC(entity, arena))
        }
    }

    func subscribe(_ sub: vigil_subscription, idOut: UnsafeMutablePointer<UInt64>) -> vigil_status {
        // The child numbers its subscriptions itself, so events that arrive
        // before the reply already find their callback.
        let id = nextSubscription.add(1, ordering: .relaxed).oldValue
        subscribers.withLock { $0[id] = Subscriber(callback: sub.callback!, userData: sub.user_data) }
        var w = ByteWriter()
        w.u64(id)
        w.u32(sub.kind_mask)
        w.u32(sub.event_mask)
        w.cString(sub.source)
        w.cString(sub.name)
        let status = call(.subscribe, w.bytes) { _, _ in }
        if status == VIGIL_OK {
            idOut.pointee = id
        } else {
            _ = subscribers.withLock { $0.removeValue(forKey: id) }
        }
        return status
    }

    func unsubscribe(_ id: UInt64) -> vigil_status {
        guard subscribers.withLock({ $0.removeValue(forKey: id) }) != nil else { return VIGIL_ERROR_NOT_FOUND }
        // From inside a callback the lock is this thread's own: no wait.
        if Thread.current != dispatchThread {
            callbackLock.lock()
            callbackLock.unlock()
        }
        var w = ByteWriter()
        w.u64(id)
        return call(.unsubscribe, w.bytes) { _, _ in }
    }

    /// Runs subscribers' callbacks, in the order the agent sent the events,
    /// one at a time, on a thread of their own.
    func startDispatching(_ queue: BlockingQueue<Frame>) {
        let thread = Thread { [self] in
            while let frame = queue.take() { dispatch(frame) }
        }
        thread.name = "vigil-module-events"
        dispatchThread = thread
        thread.start()
    }

    private func dispatch(_ frame: Frame) {
        frame.payload.withUnsafeBytes { bytes in
            var r = ByteReader(bytes)
            guard let id = try? r.u64(), let initial = try? r.u8(), let count = try? r.u32() else { return }
            var events: [(UInt32, Entity)] = []
            for _ in 0..<count {
                guard let type = try? r.u8(), let json = try? r.string(),
                      let entity = try? JSONDecoder().decode(Entity.self, from: Data(json.utf8)) else { return }
                events.append((UInt32(type), entity))
            }
            callbackLock.lock()
            defer { callbackLock.unlock() }
            guard let subscriber = subscribers.withLock({ $0[id] }) else { return }
            let arena = CArena()
            let array = arena.allocate(vigil_entity_event.self, count: max(1, events.count))
            for (i, event) in events.enumerated() {
                array[i] = vigil_entity_event(struct_size: UInt32(MemoryLayout<vigil_entity_event>.size),
                                              type: event.0, entity: EntityConversion.toC(event.1, arena))
            }
            subscriber.callback(subscriber.userData, array, events.count, Int32(initial))
        }
    }
}

/// A FIFO one thread fills and another drains; `take` returns nil once
/// closed and empty.
final class BlockingQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var closed = false

    func put(_ item: Element) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count, !closed { condition.wait() }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head > 64, head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }
}
