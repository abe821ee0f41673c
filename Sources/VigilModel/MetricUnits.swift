/// The unit of each metric the shipped modules submit, as `vigil check` and
/// `vigil query` show them (and as docs/cgroup-network.md describes them).
/// Counters submitted as rates are per second. DogStatsD metrics carry no
/// unit on the wire, so they have none here.
public enum MetricUnits {
    public static func unit(of name: String) -> String? { table[name] }

    static let table: [String: String] = [
        "container.cpu.usage": "nanocores", "container.cpu.user": "nanocores", "container.cpu.system": "nanocores",
        "container.cpu.limit": "nanocores", "container.cpu.throttled": "ns/s", "container.cpu.throttled.periods": "periods/s",
        "container.memory.usage": "bytes", "container.memory.working_set": "bytes", "container.memory.rss": "bytes",
        "container.memory.cache": "bytes", "container.memory.kernel": "bytes", "container.memory.swap": "bytes",
        "container.memory.limit": "bytes", "container.memory.soft_limit": "bytes",
        "container.memory.page_faults": "faults/s", "container.memory.major_page_faults": "faults/s",
        "container.memory.oom_events": "events",
        "container.io.read": "bytes/s", "container.io.write": "bytes/s",
        "container.io.read.operations": "operations/s", "container.io.write.operations": "operations/s",
        "container.pid.thread_count": "threads", "container.pid.thread_limit": "threads",
        "container.uptime": "seconds",
        "container.net.rcvd": "bytes/s", "container.net.sent": "bytes/s",
        "container.net.rcvd.packets": "packets/s", "container.net.sent.packets": "packets/s",
        "container.net.drops": "packets/s", "container.net.errors": "errors/s",
        "system.net.bytes_rcvd": "bytes/s", "system.net.bytes_sent": "bytes/s",
        "system.net.packets_in.count": "packets/s", "system.net.packets_out.count": "packets/s",
    ]
}
