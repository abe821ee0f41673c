import Foundation
import Testing

/// Issue 16 item 3 through the real binary: a destination whose requests
/// hang makes the agent not ready, naming the lane, while it stays live; it
/// is ready again once the destination answers. The probes need no token and
/// say nothing but component names and states.
@Suite(.serialized) struct HealthProbeTests {
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
        // The intake double first answers each request only after the agent's
        // 1 s timeout has passed: to the agent, a destination that hangs.
        let intake = RecordingIntake(apiKey: "health-test-key") { _, _, _ in
            Thread.sleep(forTimeInterval: 1.5)
            return 202
        }
        let port = try intake.start()
        defer { intake.stop() }
        let f = try AgentFixture(extraConfig: """
            flush_interval: 1
            dd_url: http://127.0.0.1:\(port)
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
            return answer.status == 1 && failing.contains("forwarder.series")
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
        intake.respond { _, _, _ in 202 }
        #expect(try waitFor(30) { try health(f).status == 0 })
    }

    @Test func noAgentIsExitTwo() throws {
        let f = try AgentFixture()
        defer { f.remove() }
        #expect(try f.vigil(["health"], timeout: 20).status == 2)
    }
}
