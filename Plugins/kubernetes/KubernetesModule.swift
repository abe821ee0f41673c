import CVigilModule
import Foundation
import KubernetesAPI
import VigilEntities
import VigilSwiftModuleKit

/// Pods from the Kubernetes API into the workload store: this node's
/// (`fieldSelector=spec.nodeName=<node>`) or, with `pods_scope: cluster`,
/// every pod. Usually waits on the autoscaling gate (`wait_for_gate:
/// autoscaling` in its conf): the host starts it when the first
/// DatadogPodAutoscaler appears, and stops and destroys it (memory
/// returned, pods withdrawn) once the gate has closed.
final class KubernetesInstance: ModuleInstanceBody {
    let host: ModuleHost
    let access: ClusterAccess
    let selector: [(String, String)]
    let scopeDescription: String
    private let work = BackgroundWork()
    private let published = PublishedSet()

    init(host: ModuleHost) throws {
        self.host = host
        let options = ModuleOptions(host.configValue)
        access = try ClusterAccess.load(host.configValue)
        switch options.string("pods_scope")?.lowercased() ?? "node" {
        case "node":
            let node = options.string("kubernetes_node_name") ?? host.hostname
            selector = [("fieldSelector", "spec.nodeName=\(node)")]
            scopeDescription = "node \(node)"
        case "cluster":
            selector = []
            scopeDescription = "the whole cluster"
        case let other:
            throw ModuleOptions.Invalid("pods_scope must be node or cluster, got \"\(other)\"")
        }
    }

    func start() throws {
        let client = try KubernetesClient(config: access.config)
        let host = self.host, published = self.published
        host.log(.info, "following pods of \(scopeDescription) at \(access.config.server)")
        let reflector = Reflector<Pod>(
            client: client, path: "/api/v1/pods", selector: selector, pageSize: access.pageSize,
            watchTimeout: access.watchTimeout, log: { host.log(.warn, $0) }
        ) { event in
            switch event {
            case let .upsert(pod):
                if host.publish(.generic(pod.entity)) { published.insert(pod.metadata.uid) }
            case let .delete(pod):
                host.remove(.pod, id: pod.metadata.uid)
                published.remove(pod.metadata.uid)
            case let .synced(count):
                host.log(.debug, "pods listed: \(count)")
                host.setReady()
            }
        }
        work.start {
            await reflector.run()
            await client.shutdown()
        }
    }

    /// Stops watching and withdraws every pod this instance published.
    func stop() {
        work.stop()
        for id in published.drain() { host.remove(.pod, id: id) }
    }
}

private let definition = ModuleDefinition(
    name: "kubernetes", version: "1.0.0",
    description: "Pods from the Kubernetes API into the workload store",
    kinds: VIGIL_MODULE_KIND_COLLECTOR) { host, _ in try KubernetesInstance(host: host) }

@_cdecl("vigil_module_entry")
public func vigilModuleEntry(_ hostMajor: UInt16, _ hostMinor: UInt16) -> UnsafePointer<vigil_module>? {
    ModuleExport.descriptor(for: definition, hostMajor: hostMajor)
}
