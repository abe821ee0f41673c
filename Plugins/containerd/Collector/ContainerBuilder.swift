import ContainerdAPI
import Foundation
import VigilEntities

/// Turns containerd's container and task messages into a container entity.
struct ContainerBuilder {
    var environmentAllowList: Set<String>
    var procRoot: String
    /// The host's boot time never changes while the agent runs: read once, not per container.
    let bootTime: Int64?

    init(environmentAllowList: Set<String>, procRoot: String) {
        self.environmentAllowList = environmentAllowList
        self.procRoot = procRoot
        bootTime = ProcessStart.bootTime(procRoot: procRoot)
    }

    /// The parts of the OCI runtime spec the entity needs.
    private struct Spec: Decodable {
        struct Process: Decodable { var env: [String]? }
        struct Linux: Decodable { var cgroupsPath: String? }
        var process: Process?
        var linux: Linux?
        var hostname: String?
    }

    func container(_ container: Containerd_Services_Containers_V1_Container, namespace: String,
                   task: Containerd_V1_Types_Process?, imageID: String) -> Container {
        let spec = container.hasSpec ? (try? JSONDecoder().decode(Spec.self, from: container.spec.value)) : nil
        var env: [String: String] = [:]
        for entry in spec?.process?.env ?? [] {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            let name = String(entry[..<equals])
            if environmentAllowList.contains(name) { env[name] = String(entry[entry.index(after: equals)...]) }
        }
        // runc (cgroupfs driver) puts the container under the spec's path; containerd's default is /<namespace>/<id>.
        let cgroupsPath = spec?.linux?.cgroupsPath ?? ""
        // containerd has no separate container name: the id is the name.
        var record = Container(
            id: container.id, name: container.id, namespace: namespace, runtime: "containerd",
            imageRef: container.image, imageID: imageID,
            labels: container.labels, env: env,
            cgroupPath: cgroupsPath.isEmpty ? "/\(namespace)/\(container.id)" : cgroupsPath,
            createdAt: container.hasCreatedAt ? container.createdAt.unixNanoseconds : 0,
            hostname: spec?.hostname ?? "")
        if let task {
            switch task.status {
            case .running: record.state = .running
            case .created: record.state = .created
            case .paused, .pausing: record.state = .paused
            case .stopped: record.state = .stopped
            default: record.state = .unknown
            }
            if record.state != .stopped { record.pid = Int64(task.pid) }
            if record.state == .stopped {
                record.exitCode = Int64(task.exitStatus)
                record.finishedAt = task.hasExitedAt ? task.exitedAt.unixNanoseconds : 0
            }
        } else {
            record.state = .created
        }
        if record.state == .running || record.state == .paused {
            record.setNetwork(ContainerNetwork.read(pid: record.pid, procRoot: procRoot))
            record.startedAt = ProcessStart.unixNanoseconds(pid: record.pid, procRoot: procRoot, bootTime: bootTime)
        }
        return record
    }
}

extension Container {
    var network: ContainerNetwork { ContainerNetwork(ipAddresses: ipAddresses, ports: ports) }

    mutating func setNetwork(_ network: ContainerNetwork) {
        ipAddresses = network.ipAddresses
        ports = network.ports
    }
}
