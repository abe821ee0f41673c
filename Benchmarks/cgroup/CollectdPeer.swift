import Foundation

/// collectd (Debian collectd-core) with only its `cgroups` plugin, reading the
/// cgroups below the cpuacct hierarchy every `interval` seconds. Its CPU time
/// comes from /proc/<pid>/stat.
final class CollectdPeer {
    let pid: pid_t
    let folder: URL

    static var available: Bool { FileManager.default.fileExists(atPath: "/usr/sbin/collectd") }

    init(interval: Double, cgroupPattern: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-collectd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = """
            Interval \(interval)
            BaseDir "\(folder.path)"
            PIDFile "\(folder.path)/collectd.pid"
            PluginDir "/usr/lib/collectd"
            TypesDB "/usr/share/collectd/types.db"
            LoadPlugin cgroups
            <Plugin cgroups>
              CGroup "\(cgroupPattern)"
            </Plugin>

            """
        let file = folder.appendingPathComponent("collectd.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        pid = try BenchTools.spawn("/usr/sbin/collectd", ["-C", file.path, "-f"])
    }

    /// CPU seconds collectd used over `seconds` of wall time, after `warmup`.
    func cpuOver(seconds: Double, warmup: Double) throws -> Double {
        Thread.sleep(forTimeInterval: warmup)
        guard BenchTools.isRunning(pid), let start = BenchTools.cpuSeconds(of: pid) else {
            throw BenchTools.Failure(description: "collectd exited; try collectd -C \(folder.path)/collectd.conf -f by hand")
        }
        Thread.sleep(forTimeInterval: seconds)
        guard let end = BenchTools.cpuSeconds(of: pid) else {
            throw BenchTools.Failure(description: "collectd exited during the measurement")
        }
        return end - start
    }

    func stop() {
        BenchTools.terminate(pid)
        try? FileManager.default.removeItem(at: folder)
    }
}
