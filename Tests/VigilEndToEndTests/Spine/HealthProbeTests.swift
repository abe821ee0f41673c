import Foundation
import Testing

/// Issue 16 item 3 through the real binary: a destination whose requests
/// hang makes the agent not ready, naming the lane, while it stays live; it
/// is ready again once the destination answers. The probes need no token and
/// say nothing but component names and states.
@Suite(.serialized) struct HealthProbeTests {
    /// A listening socket that never accepts: connections complete in the kernel's
    /// backlog, requests are taken, and no answer ever comes.
    final class HangingListener {
        let fd: Int32
        let port: Int
        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(fd, 128) == 0 else { throw ListenError() }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
            }
            self.fd = fd
            port = Int(UInt16(bigEndian: address.sin_port))
        }
        func close() { _ = Foundation.close(fd) }
        struct ListenError: Error {}
    }

    func health(_ f: AgentFixture, live: Bool = false) throws -> (status: Int32, json: [String: Any]) {
        let result = try f.vigil(["health", "--json"] + (live ? ["--live"] : []), timeout: 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        return (result.status, json)
    }

    func waitFor(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return try condition()
    }

    @Test func aHangingDestinationMakesTheAgentNotReadyNamingTheLane() throws {
        let hanging = try HangingListener()
        let f = try AgentFixture(extraConfig: """
            flush_interval: 1
            dd_url: http://127.0.0.1:\(hanging.port)
            api_key: health-test-key
            forwarder_timeout: 1
            forwarder_backoff_base: 1
            forwarder_backoff_max: 2
            """)
        defer { f.remove() }
        try f.compileModule(file: AgentFixture.repoRoot + "/Plugins/example/example.c", named: "example.so")
        try f.write("instances:\n  - value: 1\n    min_collection_interval: 1\n", to: "conf.d/example.d/conf.yaml")
        let pid = try Subprocess.spawn(AgentFixture.vigil, ["run", "-c", f.configFile],
                                       stdoutPath: f.root + "/out.log", stderrPath: f.root + "/err.log")
        defer { kill(pid, SIGKILL); _ = Subprocess.wait(pid: pid, timeout: 10) }

        // Ready once the first flush is made, before the lane has waited its 10 s.
        #expect(try waitFor(8) { try health(f).status == 0 })

        var failing: [String] = []
        let turned = try waitFor(30) {
            let answer = try health(f)
            failing = answer.json["failing"] as? [String] ?? []
            return answer.status == 1
        }
        #expect(turned)
        #expect(failing.contains("forwarder.series"))
        #expect(failing.allSatisfy { $0.hasPrefix("forwarder.") }, "\(failing)")
        #expect(try health(f, live: true).status == 0, "a dead destination is no reason to restart the agent")
        let text = try f.vigil(["health"], timeout: 20)
        #expect(text.stdout.contains("UNHEALTHY"))
        let row = text.stdout.split(separator: "\n").first { $0.hasPrefix("forwarder.series ") } ?? ""
        #expect(row.contains("readiness") && row.contains("FAILING") && row.contains("no delivery for"), "\(text.stdout)")

        // The probe needs no token and answers with names and states only.
        let address = try String(contentsOfFile: f.root + "/run/cmd_address", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let probe = try Subprocess.run("/usr/bin/curl", ["-s", "-w", "\n%{http_code}", "http://\(address)/health/ready"],
                                       timeout: 20, check: false)
        #expect(probe.stdout.hasSuffix("\n503"))
        let token = try String(contentsOfFile: f.root + "/run/auth_token", encoding: .utf8)
        #expect(!probe.stdout.contains(token.trimmingCharacters(in: .whitespacesAndNewlines)))
        let body = try JSONSerialization.jsonObject(with: Data(probe.stdout.split(separator: "\n").dropLast().joined().utf8))
        #expect(Set((body as? [String: Any])?.keys.map { $0 } ?? []) == ["status", "failing", "waiting_for", "components"])
        let status = try Subprocess.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://\(address)/status"],
                                        timeout: 20, check: false)
        #expect(status.stdout == "401")

        // The destination comes back: ready again.
        hanging.close()
        let intake = RecordingIntake(apiKey: "health-test-key")
        // The port frees once the kernel has reset the connections left in the old backlog.
        var bound = false
        for _ in 0..<40 where !bound {
            bound = (try? intake.start(port: hanging.port)) != nil
            if !bound { Thread.sleep(forTimeInterval: 0.25) }
        }
        try #require(bound, "port \(hanging.port) stayed in use")
        defer { intake.stop() }
        #expect(try waitFor(30) { try health(f).status == 0 })
        #expect(!intake.recorded.series.isEmpty)
    }

    @Test func noAgentIsExitTwo() throws {
        let f = try AgentFixture()
        defer { f.remove() }
        #expect(try f.vigil(["health"], timeout: 20).status == 2)
    }
}
