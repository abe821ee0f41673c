import Foundation
import Testing

/// Issue 16's flood, through the real binary: the agent inside a memory
/// cgroup limited to 128 MiB, 60 s of unique contexts from a C sender as fast
/// as the socket takes them. It is never OOM-killed, the contexts beyond its
/// bounds are dropped and counted, a normal client's metrics still arrive
/// afterwards, and once the flood's contexts have expired its RSS comes back
/// within 20% of what it was before.
@Suite(.serialized) struct FloodTests {
    static let sender = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <sys/un.h>
        #include <time.h>
        #include <unistd.h>

        /* flood SOCKET SECONDS: datagrams of 40 never-seen-before counters. */
        int main(int argc, char **argv) {
            if (argc != 3) return 2;
            int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
            struct sockaddr_un addr = { .sun_family = AF_UNIX };
            strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
            if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 1; }
            time_t end = time(NULL) + atoi(argv[2]);
            unsigned long sent = 0, failed = 0;
            char buf[4096];
            while (time(NULL) < end) {
                for (int k = 0; k < 1000; k++) {
                    int n = 0;
                    for (int j = 0; j < 40; j++, sent++)
                        n += snprintf(buf + n, sizeof buf - n, "flood.m%lu:1|c|#seq:%lu\\n", sent, sent);
                    if (send(fd, buf, n - 1, 0) < 0) failed++;
                }
            }
            printf("%lu %lu\\n", sent, failed);
            return 0;
        }
        """

    static let calmClient = #"""
        import sys
        from datadog.dogstatsd import DogStatsd
        c = DogStatsd(socket_path=sys.argv[1], socket_timeout=None, disable_telemetry=True)
        for i in range(20):
            c.gauge("calm.after_flood", 5, tags=["env:e2e"])
        c.flush()
        """#

    static func rss(_ pid: pid_t) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    static func cgroupValue(_ path: String, _ key: String) -> Int? {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").first { $0.hasPrefix(key + " ") }.flatMap { Int($0.split(separator: " ")[1]) }
    }

    @Test(.timeLimit(.minutes(5))) func sixtySecondsOfUniqueContextsInA128MiBCgroup() throws {
        let memory = "/sys/fs/cgroup/memory"
        try #require(FileManager.default.fileExists(atPath: memory + "/memory.limit_in_bytes"), "cgroup v1 memory controller")
        let group = memory + "/vigil-flood-\(getpid())"
        try FileManager.default.createDirectory(atPath: group, withIntermediateDirectories: false)
        defer { rmdir(group) }
        try "134217728".write(toFile: group + "/memory.limit_in_bytes", atomically: false, encoding: .utf8)

        // Expiry at its minimum (10 s) so the flood's contexts leave within the test.
        let f = try AgentFixture(extraConfig: "flush_interval: 1\ndogstatsd_expiry_seconds: 10")
        defer { f.remove() }
        let senderBinary = f.root + "/flood"
        try f.write(Self.sender, to: "flood.c")
        let built = try runProcess("/usr/bin/env", ["cc", "-O2", "-o", senderBinary, f.root + "/flood.c"])
        try #require(built.status == 0, "\(built.output)")

        // The shell puts itself in the group, then becomes the agent.
        let pid = try Subprocess.spawn("/bin/sh", ["-c", "echo $$ > \(group)/cgroup.procs && exec \(AgentFixture.vigil) run -c \(f.configFile)"],
                                       stdoutPath: f.root + "/out.log", stderrPath: f.root + "/err.log")
        defer { Subprocess.terminate(pid: pid) }
        let log = { (try? String(contentsOfFile: f.root + "/err.log", encoding: .utf8)) ?? "" }
        let socket = f.root + "/dogstatsd/dsd.socket"
        #expect(try Subprocess.poll(timeout: 30, interval: 0.2) { ((try? f.json(["status", "--json"])) as? [String: Any]) != nil })
        let procs = try String(contentsOfFile: group + "/cgroup.procs", encoding: .utf8)
        #expect(procs.split(separator: "\n").contains("\(pid)"), "the agent runs in the limited group")

        Thread.sleep(forTimeInterval: 5)
        let before = Self.rss(pid)

        let flood = try runProcess(senderBinary, [socket, "60"], timeout: 90)
        #expect(flood.status == 0, "\(flood.output)")
        let sent = Int(flood.output.split(separator: " ").first ?? "") ?? 0

        #expect(kill(pid, 0) == 0, "the agent is gone: \(log())")
        let oomKills = Self.cgroupValue(group + "/memory.oom_control", "oom_kill") ?? 0
        #expect(oomKills == 0)
        #expect(Self.cgroupValue(group + "/memory.oom_control", "under_oom") == 0)
        let peak = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.map(String.init) ?? "?"
        let status = try #require(try f.json(["status", "--json"]) as? [String: Any])
        let dsd = status["dogstatsd"] as? [String: Any] ?? [:]
        let dropped = dsd["dropped_samples"] as? [String: Any] ?? [:]
        print("flood: \(sent) samples sent; agent RSS before \(before >> 20) MiB, peak \(peak); drops \(dropped); live contexts \(dsd["live_contexts"] ?? "?")")
        #expect(sent > 1_000_000, "the sender was held back: \(sent)")
        #expect((dropped["origin_context_limit"] as? Int ?? 0) > 0, "\(dropped)")
        #expect((dsd["live_contexts"] as? Int ?? .max) <= (dsd["context_limit_per_origin"] as? Int ?? 0))

        // A normal client afterwards: its metrics arrive.
        let calm = try runProcess("/usr/bin/env", ["python3", "-c", Self.calmClient, socket])
        #expect(calm.status == 0, "\(calm.output)")
        #expect(try Subprocess.poll(timeout: 20, interval: 0.5) {
            let series = try? f.json(["query", "calm.after_flood", "--json", "--since", "5m"]) as? [[String: Any]]
            return !(series ?? []).isEmpty
        }, "\(log())")

        // Once the flood's contexts have expired and the heap was trimmed, RSS is back near where it was.
        var after = 0
        let settled = Subprocess.poll(timeout: 120, interval: 2) {
            after = Self.rss(pid)
            return Double(after) <= Double(before) * 1.2
        }
        print("flood: RSS \(before >> 20) MiB before, \(after >> 20) MiB after")
        #expect(settled, "RSS \(after) after the flood against \(before) before")
        #expect(Self.cgroupValue(group + "/memory.oom_control", "oom_kill") ?? 0 == 0)
        kill(pid, SIGTERM)
        #expect(Subprocess.wait(pid: pid, timeout: 30) == 0, "\(log())")
    }
}
