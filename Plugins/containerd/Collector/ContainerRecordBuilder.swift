import Foundation

/// Turns containerd's container and task messages into a `ContainerRecord`.
struct ContainerRecordBuilder {
    var environmentAllowList: Set<String>

    /// The parts of the OCI runtime spec the record needs.
    private struct Spec: Decodable {
        struct Process: Decodable { var env: [String]? }
        struct Linux: Decodable { var cgroupsPath: String? }
        var process: Process?
        var linux: Linux?
    }

    func record(_ container: Containerd_Services_Containers_V1_Container, namespace: String,
                task: Containerd_V1_Types_Process?, imageID: String) -> ContainerRecord {
        let spec = container.hasSpec ? (try? JSONDecoder().decode(Spec.self, from: container.spec.value)) : nil
        var env: [String: String] = [:]
        for entry in spec?.process?.env ?? [] {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            let name = String(entry[..<equals])
            if environmentAllowList.contains(name) { env[name] = String(entry[entry.index(after: equals)...]) }
        }
        // runc (cgroupfs driver) puts the container under the spec's path; containerd's default is /<namespace>/<id>.
        let cgroupsPath = spec?.linux?.cgroupsPath ?? ""
        var record = ContainerRecord(
            id: container.id, namespace: namespace, imageRef: container.image, imageID: imageID,
            labels: container.labels, env: env,
            cgroupPath: cgroupsPath.isEmpty ? "/\(namespace)/\(container.id)" : cgroupsPath,
            createdAt: container.hasCreatedAt ? container.createdAt.unixNanoseconds : 0)
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
        return record
    }
}
