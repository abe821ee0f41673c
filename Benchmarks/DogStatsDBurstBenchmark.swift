import CVigilSystem
import Foundation
import VigilConfig
import VigilDogStatsD

/// `vigil-bench dsd-bursts [rounds]`: the PyPI `datadog` client in its default
/// mode (unbuffered, non-blocking) sends 5 bursts of 100 histogram samples over
/// a Unix datagram socket; what it could not queue it drops on its side. Counts
/// what arrived, side by side, at: a tight C receive loop (the kernel's queue
/// length), Vigil with the kernel's queue length, and Vigil with its default
/// `dogstatsd_socket_queue_length`. Each row is the median of `rounds` runs.
enum DogStatsDBurstBenchmark {
    static let client = #"""
        import sys, time
        from datadog.dogstatsd import DogStatsd
        c = DogStatsd(socket_path=sys.argv[1], disable_buffering=True, disable_telemetry=True)
        for burst in range(5):
            for i in range(100):
                c.histogram("burst.latency", i, tags=["burst:%d" % burst])
            time.sleep(0.2)
        """#

    /// Binds, counts datagrams until 1 s passes with none, prints the count.
    static let receiver = #"""
        #include <stdio.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <sys/time.h>
        #include <sys/un.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
            struct sockaddr_un a = {.sun_family = AF_UNIX};
            strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
            unlink(argv[1]);
            if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) return 1;
            printf("ready\n"); fflush(stdout);
            struct timeval tv = {.tv_sec = 1};
            char buf[8192];
            long n = 0, started = 0;
            for (;;) {
                /* Wait for the first datagram without a timeout, then stop after 1 s of silence. */
                if (started) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
                if (recv(fd, buf, sizeof buf, 0) < 0) break;
                n++; started = 1;
            }
            printf("%ld\n", n);
            return 0;
        }
        """#

    static func run(_ arguments: [String]) async throws {
        let rounds = arguments.first.flatMap(Int.init) ?? 5
        let dir = try DogStatsDBenchmark.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try receiver.write(toFile: dir + "/receiver.c", atomically: true, encoding: .utf8)
        try shell("/usr/bin/cc", ["-O2", "-o", dir + "/receiver", dir + "/receiver.c"])
        let kernel = (try? String(contentsOfFile: "/proc/sys/net/unix/max_dgram_qlen", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        print("dsd-bursts: datadog client, unbuffered and non-blocking, 5 bursts of 100 histogram samples; received of 500, median of \(rounds) runs (net.unix.max_dgram_qlen = \(kernel))")
        let c = try (0..<rounds).map { _ in try cLoop(dir: dir) }
        print(row("tight C recv loop, kernel queue", c))
        let plain = try (0..<rounds).map { _ in try vigil(dir: dir, queueLength: 0) }
        print(row("vigil, kernel queue", plain))
        let raised = try (0..<rounds).map { _ in try vigil(dir: dir, queueLength: 1024) }
        print(row("vigil, dogstatsd_socket_queue_length 1024", raised))
    }

    static func row(_ label: String, _ counts: [Int]) -> String {
        let sorted = counts.sorted()
        return "  \(label.padding(toLength: 44, withPad: " ", startingAt: 0)) median \(sorted[sorted.count / 2]) (min \(sorted.first!), max \(sorted.last!))"
    }

    static func cLoop(dir: String) throws -> Int {
        let path = dir + "/c.socket"
        let receiver = Process()
        receiver.executableURL = URL(fileURLWithPath: dir + "/receiver")
        receiver.arguments = [path]
        let out = Pipe()
        receiver.standardOutput = out
        try receiver.run()
        while !FileManager.default.fileExists(atPath: path) { usleep(1000) }
        try shell("/usr/bin/env", ["python3", "-c", client, path])
        receiver.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Int(text.split(separator: "\n").last ?? "") ?? -1
    }

    static func vigil(dir: String, queueLength: Int) throws -> Int {
        let run = dir + "/vigil-\(queueLength)"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        let config = try AgentConfig.fromYAML(
            "run_path: \(run)\ndogstatsd_socket_dir: \(run)\ndogstatsd_port: 0\ndogstatsd_origin_detection: true\ndogstatsd_socket_queue_length: \(queueLength)\n",
            baseDirectory: run)
        let server = try DogStatsDServer(config: config, hostname: "bench", tagProvider: nil)
        try server.start()
        defer { server.stop() }
        try shell("/usr/bin/env", ["python3", "-c", client, run + "/dsd.socket"])
        Thread.sleep(forTimeInterval: 0.5)
        return server.totals().metrics
    }

    static func shell(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "dsd-bursts", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "\(executable) \(arguments.prefix(2)) failed"])
        }
    }
}
