import CVigilModule
import VigilSwiftModuleKit
import Foundation
import VigilModel

/// The one `vigil_host_api` table handed to every module instance. Each
/// entry recovers the instance's `HostContext` from the opaque `vigil_host *`.
enum HostAPI {
    nonisolated(unsafe) static let table: UnsafeMutablePointer<vigil_host_api> = {
        let api = UnsafeMutablePointer<vigil_host_api>.allocate(capacity: 1)
        api.initialize(to: vigil_host_api(
            struct_size: UInt32(MemoryLayout<vigil_host_api>.size),
            abi_major: UInt16(VIGIL_ABI_MAJOR),
            abi_minor: UInt16(VIGIL_ABI_MINOR),
            submit_metrics: { host, metrics, count in
                guard let host else { return VIGIL_ERROR_INVALID }
                guard count > 0 else { return VIGIL_OK }
                guard let metrics else { return VIGIL_ERROR_INVALID }
                return HostContext.from(host).submit(metrics, count: count)
            },
            submit_service_check: { host, check in
                guard let host, let check, let name = check.pointee.name,
                      check.pointee.struct_size >= UInt32(MemoryLayout<vigil_service_check>.size),
                      let status = ServiceCheckStatus(rawValue: Int(check.pointee.status))
                else { return VIGIL_ERROR_INVALID }
                let ctx = HostContext.from(host)
                let c = check.pointee
                ctx.sampler.add(serviceCheck: ServiceCheck(
                    name: String(cString: name), status: status, tags: ctx.allTags(c.tags, c.tag_count),
                    host: ctx.host(c.hostname), timestamp: c.timestamp == 0 ? WallClock.nowSeconds() : c.timestamp,
                    message: optionalString(c.message) ?? ""))
                return VIGIL_OK
            },
            submit_event: { host, event in
                guard let host, let event, let title = event.pointee.title,
                      event.pointee.struct_size >= UInt32(MemoryLayout<vigil_event>.size)
                else { return VIGIL_ERROR_INVALID }
                let ctx = HostContext.from(host)
                let e = event.pointee
                let alert: Event.AlertType = switch e.alert_type {
                case UInt32(VIGIL_ALERT_WARNING.rawValue): .warning
                case UInt32(VIGIL_ALERT_ERROR.rawValue): .error
                case UInt32(VIGIL_ALERT_SUCCESS.rawValue): .success
                default: .info
                }
                ctx.sampler.add(event: Event(
                    title: String(cString: title), text: optionalString(e.text) ?? "",
                    timestamp: e.timestamp == 0 ? WallClock.nowSeconds() : e.timestamp,
                    host: ctx.host(e.hostname), tags: ctx.allTags(e.tags, e.tag_count),
                    priority: e.priority == UInt32(VIGIL_EVENT_PRIORITY_LOW.rawValue) ? .low : .normal,
                    alertType: alert, aggregationKey: optionalString(e.aggregation_key),
                    sourceTypeName: optionalString(e.source_type_name) ?? ctx.checkName))
                return VIGIL_OK
            },
            log: { host, level, message in
                guard let host, let message else { return }
                HostContext.from(host).log(level, String(cString: message))
            },
            hostname: { host, buffer, size in
                guard let host else { return 0 }
                return copyOut(HostContext.from(host).services.hostname, buffer, size)
            },
            entity_tags: { host, entityID, cardinality, fn, user in
                guard let host, let entityID, let fn else { return VIGIL_ERROR_INVALID }
                let ctx = HostContext.from(host)
                guard let card = TagCardinality(rawValue: Int(cardinality.rawValue)) else { return VIGIL_ERROR_INVALID }
                guard let tags = ctx.services.tagProvider?.tags(forEntity: String(cString: entityID), cardinality: card)
                else { return VIGIL_ERROR_NOT_FOUND }
                withCStringArray(tags) { fn(user, $0, $1) }
                return VIGIL_OK
            },
            // Not found is (size_t)-1 in C; size_t imports into Swift as Int.
            config_value: { host, scope, key, buffer, size in
                guard let host, let key else { return -1 }
                guard let node = HostContext.from(host).configValue(scope: scope, key: String(cString: key)) else {
                    _ = copyOut("", buffer, size)
                    return -1
                }
                return copyOut(node.renderedText, buffer, size)
            },
            publish_entity: { host, source, entity in
                guard let host, let source, let entity else { return VIGIL_ERROR_INVALID }
                return EntityBridge.publish(HostContext.from(host), source: String(cString: source), entity)
            },
            remove_entity: { host, source, kind, id in
                guard let host, let source, let id else { return VIGIL_ERROR_INVALID }
                return EntityBridge.remove(HostContext.from(host), source: String(cString: source),
                                           kind: kind, id: String(cString: id))
            },
            get_entity: { host, kind, id, fn, user in
                guard let host, let id, let fn else { return VIGIL_ERROR_INVALID }
                return EntityBridge.get(HostContext.from(host), kind: kind, id: String(cString: id), fn: fn, user: user)
            },
            list_entities: { host, kind, fn, user in
                guard let host, let fn else { return VIGIL_ERROR_INVALID }
                return EntityBridge.list(HostContext.from(host), kind: kind, fn: fn, user: user)
            },
            subscribe: { host, subscription, idOut in
                guard let host, let subscription, let idOut,
                      subscription.pointee.struct_size >= UInt32(MemoryLayout<vigil_subscription>.size),
                      subscription.pointee.callback != nil
                else { return VIGIL_ERROR_INVALID }
                return EntityBridge.subscribe(HostContext.from(host), subscription.pointee, idOut: idOut)
            },
            unsubscribe: { host, id in
                guard let host else { return VIGIL_ERROR_INVALID }
                return EntityBridge.unsubscribe(HostContext.from(host), id: id)
            },
            set_ready: { host in
                guard let host else { return }
                HostContext.from(host).ready.store(true, ordering: .releasing)
            },
            gate_set: { host, name, open, reason in
                guard let host, let name, name.pointee != 0 else { return VIGIL_ERROR_INVALID }
                let ctx = HostContext.from(host)
                let result = ctx.services.gates.set(String(cString: name), open: open != 0,
                                                    reason: optionalString(reason) ?? "", by: ctx.instanceID)
                return result == .undeclared ? VIGIL_ERROR_NOT_FOUND : VIGIL_OK
            },
            gate_state: { host, name, out in
                guard let host, let name, name.pointee != 0, let out else { return VIGIL_ERROR_INVALID }
                let gates = HostContext.from(host).services.gates
                let gateName = String(cString: name)
                out.pointee = UInt32(gates.state(of: gateName).rawValue)
                return gates.isDeclared(gateName) ? VIGIL_OK : VIGIL_ERROR_NOT_FOUND
            },
            report_connection: { host, connected, detail in
                guard let host else { return VIGIL_ERROR_INVALID }
                HostContext.from(host).reportConnection(connected: connected != 0, detail: optionalString(detail) ?? "")
                return VIGIL_OK
            }
        ))
        return api
    }()
}
