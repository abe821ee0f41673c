import Foundation
import Testing

/// The console in a real browser: Debian's headless chromium, driven through
/// chromium-driver by `Tools/console-browser/console_browser.py` (PyPI
/// selenium), against `vigil run` with two real containers under a private
/// containerd and a DogStatsD client (PyPI datadog) sending a distribution.
/// Screenshots of every page land in `screenshotFolder` for a person to look at.
@Suite(.serialized) struct ConsoleBrowserTests {
    static var canRun: Bool {
        getuid() == 0 && FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/tasks")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/containerd")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
    }

    /// Kept after the test, replaced by the next run.
    static let screenshotFolder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-console-e2e-screenshots").path
    static let driver = AgentFixture.repoRoot + "/Tools/console-browser/console_browser.py"
    static let distribution = "console.e2e.latency"

    static let sender = #"""
        import sys, time
        from datadog.dogstatsd import DogStatsd
        c = DogStatsd(socket_path=sys.argv[1], socket_timeout=None, disable_buffering=False, disable_telemetry=True)
        for round in range(int(sys.argv[2])):
            for v in range(1, 201):
                c.distribution(sys.argv[3], float(v), tags=["env:e2e"])
            c.flush()
            time.sleep(0.5)
        c.close_socket()
        """#

    @Test(.enabled(if: canRun), .timeLimit(.minutes(3)))
    func pagesPlotsAndAccessInHeadlessChromium() async throws {
        let (driverOutput, token, code, logs) = try await onOwnThread { () -> (String, String, String, String) in
            let containerd = try ContainerdHarness(namespace: "console")
            defer { containerd.stop() }
            _ = try containerd.importImage(archive: try containerd.buildBusyboxImage(named: "conbox"),
                                           baseName: "docker.io/library/conbox")
            // A busy loop held to half a CPU (so it is throttled) and an idle one with a memory limit.
            try containerd.runContainer(id: "busy", image: "docker.io/library/conbox:latest",
                                        extraArgs: ["--cpu-quota", "50000", "--cpu-period", "100000"],
                                        command: ["sh", "-c", "while :; do :; done"])
            try containerd.runContainer(id: "idle", image: "docker.io/library/conbox:latest",
                                        extraArgs: ["--memory-limit", "67108864"])

            let f = try AgentFixture(extraConfig: "flush_interval: 2")
            defer { f.remove() }
            try f.copyBuiltModule("vigil-containerd", as: "libvigil-containerd.so")
            try f.copyBuiltModule("vigil-cgroup", as: "libvigil-cgroup.so")
            try f.write("instances:\n  - containerd_socket: \(containerd.socketPath)\n", to: "conf.d/containerd.d/conf.yaml")
            try f.write("instances:\n  - tag_cardinality: high\n    min_collection_interval: 1\n", to: "conf.d/cgroup.d/conf.yaml")
            let pid = try Subprocess.spawn(AgentFixture.vigil, ["run", "-c", f.configFile],
                                           stdoutPath: f.root + "/out.log", stderrPath: f.root + "/err.log")
            defer { Subprocess.terminate(pid: pid) }
            #expect(Subprocess.poll(timeout: 20, interval: 0.2) { FileManager.default.fileExists(atPath: f.root + "/dogstatsd/dsd.socket") })

            try Subprocess.run("/usr/bin/env", ["python3", "-c", Self.sender, f.root + "/dogstatsd/dsd.socket", "4", Self.distribution], timeout: 30)
            func hasPoints(_ args: [String]) -> Bool {
                let doc = (try? f.json(["query"] + args + ["--since", "10m", "--json"])) as? [[String: Any]] ?? []
                return doc.contains { !(($0["points"] as? [Any]) ?? []).isEmpty }
            }
            #expect(Subprocess.poll(timeout: 30, interval: 0.5) {
                hasPoints(["container.cpu.usage", "--tag", "container_id:busy"])
                    && hasPoints(["container.cpu.usage", "--tag", "container_id:idle"])
                    && hasPoints([Self.distribution + ".p99"])
            }, "the store has container CPU and the distribution's percentiles")

            let url = try f.vigil(["console"], check: true).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let console = try #require(url.range(of: "/console/login?code="))
            let base = String(url[..<console.lowerBound])
            let code = String(url[console.upperBound...])
            try? FileManager.default.removeItem(atPath: Self.screenshotFolder)
            let run = try Subprocess.run("/usr/bin/env", ["python3", Self.driver, "check", "--base", base,
                                                              "--login", String(url[console.lowerBound...]),
                                                              "--screenshots", Self.screenshotFolder,
                                                              "--metric", Self.distribution], timeout: 120)
            let token = try String(contentsOfFile: f.root + "/run/auth_token", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let logs = ((try? String(contentsOfFile: f.root + "/err.log", encoding: .utf8)) ?? "")
                + ((try? String(contentsOfFile: f.root + "/out.log", encoding: .utf8)) ?? "")
            return (run.stdout + "\n" + run.stderr, token, code, logs)
        }
        let firstLine = String(driverOutput.prefix { $0 != "\n" })
        let report = try #require(try? JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any],
                                  "driver said: \(driverOutput)")
        print("console screenshots: \(Self.screenshotFolder)")

        // An unauthenticated request is refused, pages and plot data alike.
        let refused = report["unauthenticated"] as? [String: Int] ?? [:]
        #expect(refused.count == 4 && refused.values.allSatisfy { $0 == 401 }, "\(refused)")
        // The login link lands on the overview without its code, works once, and sets a strict HttpOnly cookie.
        let landed = report["after_login_url"] as? String ?? ""
        #expect(landed.hasSuffix("/console/") && !landed.contains("code="), "\(landed)")
        #expect(report["login_again"] as? Int == 401)
        let cookie = report["cookie"] as? [String: Any] ?? [:]
        #expect(cookie["httpOnly"] as? Bool == true && cookie["sameSite"] as? String == "Strict", "\(cookie)")

        let pages = report["pages"] as? [String: [String: Any]] ?? [:]
        #expect(Set(pages.keys) == ["overview", "containers", "metrics", "images"])
        for (name, page) in pages {
            #expect(page["complete"] as? Bool == true, "\(name) did not finish drawing")
            #expect((page["console_errors"] as? [String])?.isEmpty == true, "\(name): \(page["console_errors"] ?? "")")
            #expect((page["failures"] as? [String] ?? []).isEmpty, "\(name): \(page["failures"] ?? "")")
            let shot = page["screenshot"] as? String ?? ""
            let png = FileManager.default.contents(atPath: shot).map { Array($0.prefix(4)) }
            #expect(png == [0x89, 0x50, 0x4E, 0x47], "\(name): no PNG at \(shot)")
        }
        #expect((pages["overview"]?["text"] as? String ?? "").contains("e2e-host"))
        #expect((pages["images"]?["text"] as? String ?? "").contains("docker.io/library/conbox:latest"))

        // Every running container's CPU plot has points; the limits are drawn on the same plots.
        let plots = pages["containers"]?["plots"] as? [[String: Any]] ?? []
        for id in ["busy", "idle"] {
            let cpu = plots.first { $0["container"] as? String == id && ($0["url"] as? String ?? "").contains("container-cpu") }
            #expect((cpu?["points"] as? Int ?? 0) > 0, "\(id): \(cpu ?? [:])")
            #expect((cpu?["canvases"] as? Int ?? 0) > 0, "\(id): not drawn")
            #expect((cpu?["labels"] as? [String] ?? []).contains("limit"), "\(id): \(cpu ?? [:])")
        }
        let idleMemory = plots.first { $0["container"] as? String == "idle" && ($0["url"] as? String ?? "").contains("container-memory") }
        #expect((idleMemory?["labels"] as? [String] ?? []).contains("limit"), "\(idleMemory ?? [:])")
        let busyCPU = plots.first { $0["container"] as? String == "busy" && ($0["url"] as? String ?? "").contains("container-cpu") }
        #expect((busyCPU?["labels"] as? [String] ?? []).contains("throttled"), "\(busyCPU ?? [:])")

        // The explorer draws the distribution's percentiles.
        let explorer = (pages["metrics"]?["plots"] as? [[String: Any]] ?? []).first
        #expect(explorer?["labels"] as? [String] == ["p50", "p95", "p99"], "\(explorer ?? [:])")
        #expect((explorer?["points"] as? Int ?? 0) > 0)

        // Logout ends the session; neither the token nor the used code shows up in the agent's logs.
        #expect((report["after_logout_url"] as? String ?? "").hasSuffix("/console/logged-out"))
        #expect(report["after_logout_status"] as? Int == 401)
        #expect((report["logout_console_errors"] as? [String])?.isEmpty == true)
        #expect(!token.isEmpty && !logs.contains(token) && !logs.contains(code))
    }
}
