import CVigilModule
import Foundation
import Synchronization
import VigilEntities
import VigilSwiftModuleKit

/// The agent's half of a child's host calls: each frame is decoded back into
/// the C arguments the module passed and replayed against the one host table
/// (`HostAPI.table`) with the instance's own `HostContext`, so validation,
/// tagging, counting and the workload store behave exactly as in process.
final class ProcessHostCalls: @unchecked Sendable {
    let context: HostContext
    let channel: FrameChannel
    private var api: vigil_host_api { HostAPI.table.pointee }
    /// Subscriptions made for the child: its number → the store's and the box its callback reads.
    private let subscriptions = Mutex<[UInt64: (id: UInt64, box: Unmanaged<EventForwarder>)]>([:])

    init(context: HostContext, channel: FrameChannel) {
        self.context = context
        self.channel = channel
    }

    /// Applies one frame from the child; false when it is malformed.
    func apply(_ frame: Frame) -> Bool {
        frame.payload.withUnsafeBytes { bytes in
            var r = ByteReader(bytes)
            do {
                try apply(frame, &r)
                return true
            } catch {
                return false
            }
        }
    }

    private func apply(_ frame: Frame, _ r: inout ByteReader) throws(ByteReader.Truncated) {
        let host = context.opaque
        switch frame.kind {
        case .metrics: try submitMetrics(&r)
        case .serviceCheck:
            let status = try r.u32(), name = try r.cString(), message = try r.cString()
            let tags = try r.cStrings(), hostname = try r.cString(), timestamp = try r.i64()
            tags.withUnsafeBufferPointer { t in
                var check = vigil_service_check(struct_size: UInt32(MemoryLayout<vigil_service_check>.size), status: status,
                                                name: name, message: message, tags: t.baseAddress, tag_count: UInt32(t.count),
                                                reserved: 0, hostname: hostname, timestamp: timestamp)
                _ = api.submit_service_check(host, &check)
            }
        case .event:
            let priority = try r.u32(), title = try r.cString(), text = try r.cString(), tags = try r.cStrings()
            let alert = try r.u32(), hostname = try r.cString(), key = try r.cString(), sourceType = try r.cString()
            let timestamp = try r.i64()
            tags.withUnsafeBufferPointer { t in
                var event = vigil_event(struct_size: UInt32(MemoryLayout<vigil_event>.size), priority: priority, title: title,
                                        text: text, tags: t.baseAddress, tag_count: UInt32(t.count), alert_type: alert,
                                        hostname: hostname, aggregation_key: key, source_type_name: sourceType, timestamp: timestamp)
                _ = api.submit_event(host, &event)
            }
        case .log:
            let level = try r.u32()
            api.log(host, vigil_log_level(rawValue: level), try r.cString())
        case .setReady:
            api.set_ready(host)
        case .connection:
            let connected = try r.u8(), detail = try r.cString()
            _ = api.report_connection(host, Int32(connected), detail)
        case .publishEntity:
            let source = try r.cString()
            let json = Data(UnsafeRawBufferPointer(rebasing: r.bytes[r.offset...]))
            guard let entity = try? JSONDecoder().decode(Entity.self, from: json) else { throw ByteReader.Truncated() }
            let arena = CArena()
            _ = api.publish_entity(host, source, EntityConversion.toC(entity, arena))
        case .removeEntity:
            let source = try r.cString(), kind = try r.u32(), id = try r.cString()
            _ = api.remove_entity(host, source, vigil_entity_kind(rawValue: kind), id)
        case .configValue:
            let scope = vigil_config_scope(rawValue: try r.u32()), key = try r.cString()
            let length = api.config_value(host, scope, key, nil, 0)
            var w = ByteWriter()
            if length < 0 {
                w.u32(VIGIL_ERROR_NOT_FOUND.rawValue)
            } else {
                var buffer = [CChar](repeating: 0, count: length + 1)
                _ = api.config_value(host, scope, key, &buffer, buffer.count)
                w.u32(VIGIL_OK.rawValue)
                buffer.withUnsafeBufferPointer { w.cString($0.baseAddress) }
            }
            channel.send(.reply, request: frame.request, w.bytes)
        case .entityTags:
            let id = try r.cString(), cardinality = vigil_cardinality(rawValue: try r.u32())
            let collected = Collected()
            let status = withExtendedLifetime(collected) {
                api.entity_tags(host, id, cardinality, { user, tags, count in
                    Unmanaged<Collected>.fromOpaque(user!).takeUnretainedValue().writer.cStrings(tags, count)
                }, Unmanaged.passUnretained(collected).toOpaque())
            }
            reply(frame, status, collected.writer.bytes)
        case .getEntity, .listEntities:
            let kind = vigil_entity_kind(rawValue: try r.u32())
            let collected = Collected()
            let user = Unmanaged.passUnretained(collected).toOpaque()
            let gather: vigil_entity_fn = { user, entity in
                let box = Unmanaged<Collected>.fromOpaque(user!).takeUnretainedValue()
                guard let entity, let converted = EntityConversion.fromC(entity),
                      let json = try? JSONEncoder().encode(converted) else { return }
                box.entities.append(String(decoding: json, as: UTF8.self))
            }
            let id = frame.kind == .getEntity ? try r.cString() : nil
            let status = withExtendedLifetime(collected) {
                frame.kind == .getEntity ? api.get_entity(host, kind, id, gather, user)
                    : api.list_entities(host, kind, gather, user)
            }
            var w = ByteWriter()
            w.strings(collected.entities)
            reply(frame, status, w.bytes)
        case .subscribe:
            let childID = try r.u64(), kindMask = try r.u32(), eventMask = try r.u32()
            let source = try r.cString(), name = try r.cString()
            let box = Unmanaged.passRetained(EventForwarder(channel: channel, childID: childID))
            var sub = vigil_subscription(struct_size: UInt32(MemoryLayout<vigil_subscription>.size), kind_mask: kindMask,
                                         event_mask: eventMask, reserved: 0, source: source, name: name,
                                         callback: EventForwarder.callback, user_data: box.toOpaque())
            var id: UInt64 = 0
            let status = api.subscribe(host, &sub, &id)
            if status == VIGIL_OK {
                subscriptions.withLock { $0[childID] = (id, box) }
            } else {
                box.release()
            }
            reply(frame, status, [])
        case .unsubscribe:
            let childID = try r.u64()
            guard let entry = subscriptions.withLock({ $0.removeValue(forKey: childID) }) else {
                return reply(frame, VIGIL_ERROR_NOT_FOUND, [])
            }
            let status = api.unsubscribe(host, entry.id)
            entry.box.release()
            reply(frame, status, [])
        case .gateSet:
            let name = try r.cString(), open = try r.u8(), reason = try r.cString()
            reply(frame, api.gate_set(host, name, Int32(open), reason), [])
        case .gateState:
            var state: UInt32 = 0
            let status = api.gate_state(host, try r.cString(), &state)
            var w = ByteWriter()
            w.u32(state)
            reply(frame, status, w.bytes)
        default:
            throw ByteReader.Truncated()
        }
    }

    /// The child's batch, rebuilt as C structs pointing into the frame.
    private func submitMetrics(_ r: inout ByteReader) throws(ByteReader.Truncated) {
        let count = Int(try r.u32())
        guard count <= r.bytes.count else { throw ByteReader.Truncated() }
        var metrics: [vigil_metric] = []
        metrics.reserveCapacity(count)
        var tagLists: [[UnsafePointer<CChar>?]] = []
        tagLists.reserveCapacity(count)
        for _ in 0..<count {
            var m = vigil_metric()
            m.struct_size = UInt32(MemoryLayout<vigil_metric>.size)
            m.type = try r.u32()
            m.name = try r.cString()
            m.value = try r.f64()
            tagLists.append(try r.cStrings())
            m.flags = try r.u32()
            m.hostname = try r.cString()
            m.series_epoch = try r.u64()
            metrics.append(m)
        }
        // Tag arrays are pinned for the call: one contiguous buffer, sliced per sample.
        let flat = tagLists.flatMap { $0 }
        flat.withUnsafeBufferPointer { tags in
            var offset = 0
            for i in 0..<count {
                let n = tagLists[i].count
                metrics[i].tags = n == 0 ? nil : UnsafePointer(tags.baseAddress! + offset)
                metrics[i].tag_count = UInt32(n)
                offset += n
            }
            _ = metrics.withUnsafeBufferPointer { api.submit_metrics(context.opaque, $0.baseAddress, count) }
        }
    }

    private func reply(_ frame: Frame, _ status: vigil_status, _ payload: [UInt8]) {
        var w = ByteWriter()
        w.u32(status.rawValue)
        w.bytes.append(contentsOf: payload)
        channel.send(.reply, request: frame.request, w.bytes)
    }

    /// Ends what the child had subscribed (its process is gone).
    func endSubscriptions() {
        let all = subscriptions.withLock { s in defer { s.removeAll() }; return s }
        for entry in all.values {
            _ = api.unsubscribe(context.opaque, entry.id)
            entry.box.release()
        }
    }

    /// What a callback gathers for one reply.
    private final class Collected {
        var writer = ByteWriter()
        var entities: [String] = []
    }
}

/// Carries a subscription's events to the child, converted back to entities.
final class EventForwarder: @unchecked Sendable {
    let channel: FrameChannel
    let childID: UInt64

    init(channel: FrameChannel, childID: UInt64) {
        self.channel = channel
        self.childID = childID
    }

    static let callback: vigil_entity_events_fn = { user, events, count, initial in
        let forwarder = Unmanaged<EventForwarder>.fromOpaque(user!).takeUnretainedValue()
        var w = ByteWriter()
        w.u64(forwarder.childID)
        w.u8(initial != 0 ? 1 : 0)
        var encoded: [(UInt8, Data)] = []
        for i in 0..<count {
            guard let events, let entity = events[i].entity, let converted = EntityConversion.fromC(entity),
                  let json = try? JSONEncoder().encode(converted) else { continue }
            encoded.append((UInt8(events[i].type), json))
        }
        w.u32(UInt32(encoded.count))
        for (type, json) in encoded {
            w.u8(type)
            w.string(String(decoding: json, as: UTF8.self))
        }
        forwarder.channel.send(.entityEvents, w.bytes)
    }
}
