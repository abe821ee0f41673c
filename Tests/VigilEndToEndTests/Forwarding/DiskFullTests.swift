import Foundation
import Testing

/// Issue 16 item 5 through the real binary: `run_path` on a 2 MiB tmpfs
/// that a filler file fills up. Flushes the local store cannot write wait
/// in memory and are stored once space is freed — also the last one, while
/// the agent stops — and nothing is counted as lost.
@Suite(.serialized) struct DiskFullTests {
    /// Mounts a 2 MiB tmpfs on the fixture's run_path (tests run as root); `defer` the unmount.
    func smallDisk(_ f: AgentFixture) throws -> String {
        let run = f.root + "/run"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try Subprocess.run("mount", ["-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", run])
        return run
    }

    func unmount(_ run: String) { _ = try? Subprocess.run("umount", ["-l", run], check: false) }

    /// Writes zeros to `path` until the file system says ENOSPC.
    func fill(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let block = [UInt8](repeating: 0, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

    /// Sends `names` as gauges to the agent's DogStatsD socket.
    func send(_ names: [String], value: Int, socket: String) throws {
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            names = sys.argv[2].split(",")
            for i in range(0, len(names), 20):
                s.sendto("\\n".join(n + ":\(value)|g|#disk:full" for n in names[i:i+20]).encode(), sys.argv[1])
            """
        let sent = try runProcess("/usr/bin/env", ["python3", "-c", script, socket, names.joined(separator: ",")])
        #expect(sent.status == 0, "\(sent.output)")
    }

    func localStore(_ f: AgentFixture) throws -> [String: Any] {
        let status = try f.json(["status", "--json"]) as? [String: Any]
        let forwarder = status?["forwarder"] as? [String: Any]
        return (forwarder?["destinations"] as? [String: Any])?["local_store"] as? [String: Any] ?? [:]
    }

    func unstored(_ store: [String: Any], _ key: String) -> Int {
        (store["unstored"] as? [String: Any])?[key] as? Int ?? -1
    }

    func stored(_ f: AgentFixture, _ name: String) throws -> [Double] {
        let series = try f.json(["query", name, "--json", "--since", "1h"]) as? [[String: Any]] ?? []
        return series.flatMap { ($0["points"] as? [[Double]]) ?? [] }.compactMap(\.last)
    }

    @Test func flushesAFullDiskRefusedWaitInMemoryAndAreStoredOnceThereIsRoom() throws {
        let f = try AgentFixture(extraConfig: "flush_interval: 1\nstop_timeout: 10")
        defer { f.remove() }
        let run = try smallDisk(f)
        defer { unmount(run) }
        let agent = try RunningVigil(f)
        let (socket, log) = (agent.socket, agent.log)
        #expect(try Subprocess.poll(timeout: 20) { FileManager.default.fileExists(atPath: socket) })
        try send(["disk.warmup"], value: 1, socket: socket)
        #expect(try Subprocess.poll(timeout: 30, interval: 0.5) { (try localStore(f)["points_stored"] as? Int ?? 0) > 0 }, "\(log())")

        // The disk fills; flushes of new series keep coming.
        fill(run + "/filler")
        let names = (0..<3000).map { "disk.full.m\($0)" }
        try send(names, value: 5, socket: socket)
        var store: [String: Any] = [:]
        let refused = try Subprocess.poll(timeout: 30, interval: 0.5) {
            store = try localStore(f)
            return unstored(store, "held_series") > 0
        }
        #expect(refused, "\(store)\n\(log())")
        #expect((store["write_failures"] as? Int ?? 0) >= 1)
        #expect(log().contains("kept in memory"))

        // Room again: what waited is stored with the next flush.
        try FileManager.default.removeItem(atPath: run + "/filler")
        let recovered = try Subprocess.poll(timeout: 30, interval: 0.5) {
            store = try localStore(f)
            return unstored(store, "held_series") == 0 && unstored(store, "recovered_series") > 0
        }
        #expect(recovered, "\(store)\n\(log())")
        #expect(unstored(store, "dropped_series") == 0)
        for name in ["disk.full.m0", "disk.full.m1500", "disk.full.m2999"] {
            #expect(try stored(f, name) == [5], "\(name)")
        }

        #expect(agent.stop(timeout: 20) == 0, "\(log())")
    }

    /// The final flush at stop meets a full disk; space is freed while the
    /// agent stops: it is stored, within stop_timeout.
    @Test func theLastFlushIsTriedAgainUntilStopTimeout() throws {
        // Only the stop's flush writes the DogStatsD samples.
        let f = try AgentFixture(extraConfig: "flush_interval: 3600\nstop_timeout: 15")
        defer { f.remove() }
        let run = try smallDisk(f)
        defer { unmount(run) }
        let agent = try RunningVigil(f)
        let (socket, log) = (agent.socket, agent.log)
        #expect(try Subprocess.poll(timeout: 20) { FileManager.default.fileExists(atPath: socket) })
        #expect(try Subprocess.poll(timeout: 20, interval: 0.3) { (try? f.vigil(["status"]).status) == 0 })

        fill(run + "/filler")
        let names = (0..<3000).map { "disk.last.m\($0)" }
        try send(names, value: 9, socket: socket)
        #expect(try Subprocess.poll(timeout: 20, interval: 0.3) {
            let status = try f.json(["status", "--json"]) as? [String: Any]
            let listeners = (status?["dogstatsd"] as? [String: Any])?["listeners"] as? [String: Any]
            return ((listeners?["uds_datagram"] as? [String: Any])?["metrics"] as? Int ?? 0) >= 3000
        })

        let stopping = Date()
        kill(agent.pid, SIGTERM)
        #expect(try Subprocess.poll(timeout: 10, interval: 0.2) { log().contains("kept in memory") }, "\(log())")
        Thread.sleep(forTimeInterval: 1)
        try FileManager.default.removeItem(atPath: run + "/filler")
        #expect(agent.stop(timeout: 30, signal: false) == 0, "\(log())")
        #expect(Date().timeIntervalSince(stopping) < 16)
        #expect(!log().contains("are lost"), "\(log())")
        for name in ["disk.last.m0", "disk.last.m2999"] {
            #expect(try stored(f, name) == [9], "\(name)")
        }
    }

    /// The same for a remote destination: payloads the outbox cannot take
    /// wait in memory and reach the intake once there is room.
    @Test func payloadsTheOutboxRefusedReachTheIntakeOnceThereIsRoom() throws {
        let intake = RecordingIntake(apiKey: "disk-full-key")
        let port = try intake.start()
        defer { intake.stop() }
        let f = try AgentFixture(extraConfig: """
            flush_interval: 1
            stop_timeout: 10
            local_store: false
            dd_url: http://127.0.0.1:\(port)
            api_key: disk-full-key
            """)
        defer { f.remove() }
        let run = try smallDisk(f)
        defer { unmount(run) }
        let agent = try RunningVigil(f)
        let (socket, log) = (agent.socket, agent.log)
        func datadog() throws -> [String: Any] {
            let status = try f.json(["status", "--json"]) as? [String: Any]
            let forwarder = status?["forwarder"] as? [String: Any]
            return (forwarder?["destinations"] as? [String: Any])?["datadog"] as? [String: Any] ?? [:]
        }
        #expect(try Subprocess.poll(timeout: 20) { FileManager.default.fileExists(atPath: socket) })
        try send(["disk.warmup"], value: 1, socket: socket)
        #expect(try Subprocess.poll(timeout: 30, interval: 0.5) { intake.recorded.series.contains { $0.metric == "disk.warmup" } })

        fill(run + "/filler")
        let names = (0..<3000).map { "disk.remote.m\($0)" }
        try send(names, value: 3, socket: socket)
        var status: [String: Any] = [:]
        #expect(try Subprocess.poll(timeout: 30, interval: 0.5) {
            status = try datadog()
            return unstored(status, "held_payloads") > 0
        }, "\(status)\n\(log())")
        #expect((status["store_failures"] as? Int ?? 0) >= 1)
        #expect(!intake.recorded.series.contains { $0.metric.hasPrefix("disk.remote.") })

        try FileManager.default.removeItem(atPath: run + "/filler")
        #expect(try Subprocess.poll(timeout: 30, interval: 0.5) {
            Set(intake.recorded.series.map(\.metric).filter { $0.hasPrefix("disk.remote.") }).count == 3000
        }, "\(log())")
        status = try datadog()
        #expect(unstored(status, "held_payloads") == 0)
        #expect(unstored(status, "recovered_payloads") > 0)
        #expect(unstored(status, "dropped_payloads") == 0)

        #expect(agent.stop(timeout: 20) == 0, "\(log())")
    }
}
