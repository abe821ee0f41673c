import Foundation

/// A container's CPU (cores, the rate between two reads) and memory (bytes)
/// from the same cgroup files the cgroup check reads: v2 `cpu.stat`
/// `usage_usec` and `memory.current`, or v1 `cpuacct.usage` and
/// `memory.usage_in_bytes`, under `root` (`cgroup_root`, default /sys/fs/cgroup).
final class CgroupUsage {
    let root: String
    let unified: Bool
    /// container id → (cumulative CPU ns, monotonic ns when read)
    private var previous: [String: (cpu: UInt64, at: UInt64)] = [:]

    init(root: String = "/sys/fs/cgroup") {
        self.root = root
        unified = FileManager.default.fileExists(atPath: root + "/cgroup.controllers")
    }

    struct Sample { var cpuCores: Double?; var memoryBytes: Double? }

    func sample(containerID: String, cgroupPath: String) -> Sample {
        let now = DispatchTime.now().uptimeNanoseconds
        var out = Sample()
        if let cpu = cpuNanoseconds(cgroupPath) {
            if let last = previous[containerID], cpu >= last.cpu, now > last.at {
                out.cpuCores = Double(cpu - last.cpu) / Double(now - last.at)
            }
            previous[containerID] = (cpu, now)
        }
        out.memoryBytes = memoryBytes(cgroupPath).map(Double.init)
        return out
    }

    /// Forgets containers not seen in the last run.
    func keep(only ids: Set<String>) { previous = previous.filter { ids.contains($0.key) } }

    private func cpuNanoseconds(_ path: String) -> UInt64? {
        if unified {
            guard let text = read(root + path + "/cpu.stat") else { return nil }
            for line in text.split(separator: "\n") where line.hasPrefix("usage_usec ") {
                return UInt64(line.dropFirst(11)).map { $0 * 1000 }
            }
            return nil
        }
        for controller in ["cpuacct", "cpu,cpuacct", "cpuacct,cpu"] {
            if let text = read(root + "/" + controller + path + "/cpuacct.usage") { return UInt64(text) }
        }
        return nil
    }

    private func memoryBytes(_ path: String) -> UInt64? {
        let file = unified ? root + path + "/memory.current" : root + "/memory" + path + "/memory.usage_in_bytes"
        return read(file).flatMap { UInt64($0) }
    }

    private func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
