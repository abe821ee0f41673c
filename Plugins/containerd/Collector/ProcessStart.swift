import Foundation

/// When a process started, from /proc: containerd reports no start time for
/// a task, so a running container's is its init process's.
enum ProcessStart {
    /// Unix nanoseconds, or 0 when the process or the boot time (`bootTime(procRoot:)`, read
    /// once by the caller) is unknown.
    static func unixNanoseconds(pid: Int64, procRoot: String, bootTime boot: Int64?) -> Int64 {
        guard pid > 0, let boot, let stat = ProcFile.read("\(procRoot)/\(pid)/stat") else { return 0 }
        // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
        guard let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the name come state (field 3) ... starttime (field 22): index 19 here.
        guard fields.count > 19, let ticks = Int64(fields[19]) else { return 0 }
        let hertz = Int64(sysconf(Int32(_SC_CLK_TCK)))
        guard hertz > 0 else { return 0 }
        return boot * 1_000_000_000 + ticks * (1_000_000_000 / hertz)
    }

    /// Seconds since the epoch at boot (`btime` of /proc/stat).
    static func bootTime(procRoot: String) -> Int64? {
        guard let text = ProcFile.read("\(procRoot)/stat") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Int64(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
