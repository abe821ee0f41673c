import Foundation
import VigilWorkload

/// What template variables can say about a running container. Everything
/// comes from the container entity (the runtime's module finds addresses,
/// ports and hostname), except `%%env_X%%`, which the reference defines as
/// the agent's own environment.
struct ContainerFacts {
    let container: Container
    var environment: (String) -> String? = { ProcessInfo.processInfo.environment[$0] }

    /// Answers one template variable, or nil when it cannot be resolved.
    func value(of variable: String) -> String? {
        switch variable {
        case "host": return container.ipAddresses.first
        // The highest port, as the reference's %%port%% is.
        case "port": return container.ports.max().map(String.init)
        case "pid": return container.pid > 0 ? String(container.pid) : nil
        case "hostname": return hostname
        case "container_id": return container.id
        case "container_name": return container.name.isEmpty ? container.id : container.name
        default:
            if variable.hasPrefix("env_") { return environment(String(variable.dropFirst(4))) }
            // %%port_N%%: the Nth port in ascending order.
            if variable.hasPrefix("port_"), let index = Int(variable.dropFirst(5)), index >= 0 {
                let ports = container.ports.sorted()
                return index < ports.count ? String(ports[index]) : nil
            }
            return nil
        }
    }

    var hostname: String {
        if !container.hostname.isEmpty { return container.hostname }
        return container.name.isEmpty || container.name == container.id ? String(container.id.prefix(12)) : container.name
    }

    /// What a change of which makes earlier resolutions stale.
    static func sameNetwork(_ a: Container, _ b: Container) -> Bool {
        a.ipAddresses == b.ipAddresses && a.ports == b.ports && a.hostname == b.hostname
    }

    /// Names a template's `ad_identifiers` may use for this container:
    /// the short image name ("redis"), and the image name with and
    /// without its registry and tag.
    var identifiers: Set<String> {
        let reference = ImageReference(container.imageRef)
        return Set([reference.shortName, reference.name, reference.nameAndTag, container.imageRef].filter { !$0.isEmpty })
    }
}
