import Foundation
import VigilModel

/// What the agent itself costs, for `vigil status` (section `process`): resident memory
/// now and at its peak, CPU time, threads and open descriptors — the figures an operator
/// compares with the reference agent's, without reaching for ps.
enum ProcessUsage {
    static func snapshot(uptimeSeconds: Double) -> JSONValue {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ key: String) -> Int64? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
            // "VmRSS:\t  1234 kB", "Threads:\t7"
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int64($0) }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return .object([
            ("pid", .int(Int64(getpid()))),
            ("rss_bytes", field("VmRSS").map { .int($0 * 1024) } ?? .null),
            ("peak_rss_bytes", field("VmHWM").map { .int($0 * 1024) } ?? .null),
            ("cpu_user_seconds", .double((user * 100).rounded() / 100)),
            ("cpu_system_seconds", .double((system * 100).rounded() / 100)),
            // Of one core, averaged since start: 100 is one core busy all the time.
            ("cpu_percent_since_start", .double(uptimeSeconds > 0 ? ((user + system) / uptimeSeconds * 1000).rounded() / 10 : 0)),
            ("threads", field("Threads").map { .int($0) } ?? .null),
            ("open_files", .int(Int64(descriptors))),
        ])
    }
}
