import CVigilModule
import Foundation
import VigilEntities
import VigilModel
import VigilSwiftModuleKit

/// The `vigil_host_api` a module sees inside `vigil module-host`: the same
/// table as in the agent, each call turned into a frame to the agent. Calls
/// that return data (config_value, entity_tags, get/list_entities, subscribe,
/// unsubscribe, gate_set, gate_state) wait for the agent's reply; submissions
/// and logs do not. Return values follow the in-process table: a submission
/// the agent would refuse is refused here too.
enum ChildHostTable {
    nonisolated(unsafe) static let table: UnsafeMutablePointer<vigil_host_api> = {
        var t = vigil_host_api()
        t.struct_size = UInt32(MemoryLayout<vigil_host_api>.size)
        t.abi_major = UInt16(VIGIL_ABI_MAJOR)
        t.abi_minor = UInt16(VIGIL_ABI_MINOR)
        t.submit_metrics = { host, metrics, count in
            guard let host else { return VIGIL_ERROR_INVALID }
            guard count > 0 else { return VIGIL_OK }
            guard let metrics else { return VIGIL_ERROR_INVALID }
            return ChildInstance.from(host).sendMetrics(metrics, count: count)
        }
        t.submit_service_check = { host, check in
            guard let host, let check, check.pointee.name != nil,
                  check.pointee.struct_size >= UInt32(MemoryLayout<vigil_service_check>.size),
                  check.pointee.status <= UInt32(VIGIL_SC_UNKNOWN.rawValue)
            else { return VIGIL_ERROR_INVALID }
            let c = check.pointee
            var w = ByteWriter()
            w.u32(c.status)
            w.cString(c.name)
            w.cString(c.message)
            w.cStrings(c.tags, c.tags == nil ? 0 : Int(c.tag_count))
            w.cString(c.hostname)
            w.i64(c.timestamp)
            ChildInstance.from(host).channel.send(.serviceCheck, w.bytes)
            return VIGIL_OK
        }
        t.submit_event = { host, event in
            guard let host, let event, event.pointee.title != nil,
                  event.pointee.struct_size >= UInt32(MemoryLayout<vigil_event>.size)
            else { return VIGIL_ERROR_INVALID }
            let e = event.pointee
            var w = ByteWriter()
            w.u32(e.priority)
            w.cString(e.title)
            w.cString(e.text)
            w.cStrings(e.tags, e.tags == nil ? 0 : Int(e.tag_count))
            w.u32(e.alert_type)
            w.cString(e.hostname)
            w.cString(e.aggregation_key)
            w.cString(e.source_type_name)
            w.i64(e.timestamp)
            ChildInstance.from(host).channel.send(.event, w.bytes)
            return VIGIL_OK
        }
        t.log = { host, level, message in
            guard let host, let message else { return }
            var w = ByteWriter()
            w.u32(level.rawValue)
            w.cString(message)
            ChildInstance.from(host).channel.send(.log, w.bytes)
        }
        t.hostname = { host, buffer, size in
            guard let host else { return 0 }
            return copyOut(ChildInstance.from(host).hostname, buffer, size)
        }
        t.entity_tags = { host, entityID, cardinality, fn, user in
            guard let host, let entityID, let fn else { return VIGIL_ERROR_INVALID }
            var w = ByteWriter()
            w.cString(entityID)
            w.u32(cardinality.rawValue)
            return ChildInstance.from(host).call(.entityTags, w.bytes) { status, r throws(ByteReader.Truncated) in
                guard status == VIGIL_OK else { return }
                let tags = try r.cStrings()
                tags.withUnsafeBufferPointer { fn(user, $0.baseAddress, tags.count) }
            }
        }
        t.config_value = { host, scope, key, buffer, size in
            guard let host, let key else { return -1 }
            var w = ByteWriter()
            w.u32(scope.rawValue)
            w.cString(key)
            var length = -1
            _ = ChildInstance.from(host).call(.configValue, w.bytes) { status, r throws(ByteReader.Truncated) in
                let text = status == VIGIL_OK ? try r.string() : ""
                let copied = copyOut(text, buffer, size)
                if status == VIGIL_OK { length = copied }
            }
            return length
        }
        t.publish_entity = { host, source, entity in
            guard let host, let source, let entity else { return VIGIL_ERROR_INVALID }
            guard let converted = EntityConversion.fromC(entity),
                  let json = try? JSONEncoder().encode(converted) else { return VIGIL_ERROR_INVALID }
            var w = ByteWriter()
            w.cString(source)
            w.bytes.append(contentsOf: json)
            ChildInstance.from(host).channel.send(.publishEntity, w.bytes)
            return VIGIL_OK
        }
        t.remove_entity = { host, source, kind, id in
            guard let host, let source, let id else { return VIGIL_ERROR_INVALID }
            guard EntityKind(rawValue: Int(kind.rawValue)) != nil else { return VIGIL_ERROR_INVALID }
            var w = ByteWriter()
            w.cString(source)
            w.u32(kind.rawValue)
            w.cString(id)
            ChildInstance.from(host).channel.send(.removeEntity, w.bytes)
            return VIGIL_OK
        }
        t.get_entity = { host, kind, id, fn, user in
            guard let host, let id, let fn else { return VIGIL_ERROR_INVALID }
            var w = ByteWriter()
            w.u32(kind.rawValue)
            w.cString(id)
            return ChildInstance.from(host).call(.getEntity, w.bytes) { status, r throws(ByteReader.Truncated) in
                guard status == VIGIL_OK else { return }
                try ChildInstance.deliverEntities(&r) { fn(user, $0) }
            }
        }
        t.list_entities = { host, kind, fn, user in
            guard let host, let fn else { return VIGIL_ERROR_INVALID }
            var w = ByteWriter()
            w.u32(kind.rawValue)
            return ChildInstance.from(host).call(.listEntities, w.bytes) { status, r throws(ByteReader.Truncated) in
                guard status == VIGIL_OK else { return }
                try ChildInstance.deliverEntities(&r) { fn(user, $0) }
            }
        }
        t.subscribe = { host, subscription, idOut in
            guard let host, let subscription, let idOut,
                  subscription.pointee.struct_size >= UInt32(MemoryLayout<vigil_subscription>.size),
                  subscription.pointee.callback != nil, subscription.pointee.name != nil
            else { return VIGIL_ERROR_INVALID }
            return ChildInstance.from(host).subscribe(subscription.pointee, idOut: idOut)
        }
        t.unsubscribe = { host, id in
            guard let host else { return VIGIL_ERROR_INVALID }
            return ChildInstance.from(host).unsubscribe(id)
        }
        t.set_ready = { host in
            guard let host else { return }
            ChildInstance.from(host).channel.send(.setReady)
        }
        t.gate_set = { host, name, open, reason in
            guard let host, let name, name.pointee != 0 else { return VIGIL_ERROR_INVALID }
            var w = ByteWriter()
            w.cString(name)
            w.u8(open != 0 ? 1 : 0)
            w.cString(reason)
            return ChildInstance.from(host).call(.gateSet, w.bytes) { _, _ in }
        }
        t.gate_state = { host, name, out in
            guard let host, let name, name.pointee != 0, let out else { return VIGIL_ERROR_INVALID }
            var w = ByteWriter()
            w.cString(name)
            return ChildInstance.from(host).call(.gateState, w.bytes) { _, r throws(ByteReader.Truncated) in
                out.pointee = try r.u32()
            }
        }
        t.report_connection = { host, connected, detail in
            guard let host else { return VIGIL_ERROR_INVALID }
            var w = ByteWriter()
            w.u8(connected != 0 ? 1 : 0)
            w.cString(detail)
            ChildInstance.from(host).channel.send(.connection, w.bytes)
            return VIGIL_OK
        }
        let api = UnsafeMutablePointer<vigil_host_api>.allocate(capacity: 1)
        api.initialize(to: t)
        return api
    }()
}
