import Foundation
import Testing

/// Issue 16 item 2 through the real binary, in-process: four instances of a
/// drop-in C module whose `run` never returns, with `check_runners: 4`. The
/// other checks (the example module and the shipped cgroup check) keep
/// running on time, each hung run is logged once when it overruns its
/// interval and counted failed at `module_run_timeout`, status and health
/// show it, and SIGTERM ends the agent within `stop_timeout`, naming what it
/// abandoned and never calling the hung instances' destroy.
@Suite(.serialized) struct HungModuleTests {
    static let hangSource = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <unistd.h>
        #include "vigil_module.h"

        /* Appends a line to $HANG_MARKER: what the test counts. */
        static void mark(const char *what) {
            const char *path = getenv("HANG_MARKER");
            FILE *f = path ? fopen(path, "a") : NULL;
            if (f) { fprintf(f, "%s\\n", what); fclose(f); }
        }

        static vigil_status hang_configure(const vigil_host_api *api, vigil_host *host,
                                           const vigil_instance_config *config, void **out,
                                           char *errbuf, size_t size) {
            (void)api; (void)host; (void)config; (void)errbuf; (void)size;
            *out = malloc(1);
            return VIGIL_OK;
        }

        /* Never returns: a read blocked forever, as far as the host can tell. */
        static vigil_status hang_run(void *instance, char *errbuf, size_t size) {
            (void)instance; (void)errbuf; (void)size;
            mark("started");
            for (;;) sleep(1000);
            return VIGIL_OK;
        }

        static void hang_destroy(void *instance) { mark("destroyed"); free(instance); }

        static const vigil_module hang_module = {
            .struct_size = sizeof(vigil_module), .abi_major = VIGIL_ABI_MAJOR, .abi_minor = VIGIL_ABI_MINOR,
            .name = "hang", .version = "1.0.0", .description = "a run that never returns",
            .kinds = VIGIL_MODULE_KIND_CHECK,
            .configure = hang_configure, .run = hang_run, .destroy = hang_destroy,
        };

        VIGIL_MODULE_ENTRY {
            (void)host_abi_minor;
            return host_abi_major == VIGIL_ABI_MAJOR ? &hang_module : NULL;
        }
        """

    func checks(_ f: AgentFixture) throws -> [String: [String: Any]] {
        let status = try f.json(["status", "--json"]) as? [String: Any]
        return status?["checks"] as? [String: [String: Any]] ?? [:]
    }

    @Test func fourHungInstancesLeaveTheOtherChecksOnTimeAndStopIsBounded() throws {
        let f = try AgentFixture(extraConfig: """
            flush_interval: 1
            check_runners: 4
            module_run_timeout: 3
            stop_timeout: 8
            """)
        defer { f.remove() }
        try f.compileModule(source: Self.hangSource, named: "hang.so")
        try f.compileModule(file: AgentFixture.repoRoot + "/Plugins/example/example.c", named: "example.so")
        try f.copyBuiltModule("vigil-cgroup", as: "libvigil-cgroup.so")
        try f.write("instances:\n" + (1...4).map { "  - min_collection_interval: 1\n    tags: [hang:\($0)]\n" }.joined(),
                    to: "conf.d/hang.d/conf.yaml")
        try f.write("instances:\n  - value: 7\n    min_collection_interval: 1\n", to: "conf.d/example.d/conf.yaml")
        try f.write("instances:\n  - min_collection_interval: 1\n", to: "conf.d/cgroup.d/conf.yaml")
        let marker = f.root + "/hang-marker"
        let agent = try RunningVigil(f, environment: ["HANG_MARKER": marker])
        let log = agent.log

        // Every hung run passes module_run_timeout (3 s) and is counted failed.
        var hung: [String: [String: Any]] = [:]
        let timedOut = try Subprocess.poll(timeout: 30, interval: 0.5) {
            // The agent may not answer yet.
            hung = ((try? checks(f)) ?? [:]).filter { ($0.value["check"] as? String) == "hang" }
            return hung.count == 4 && hung.values.allSatisfy { ($0["state"] as? String) == "hung" }
        }
        #expect(timedOut, "\(hung)\n\(log())")

        // From here on, every other check runs once a second: over 5 s, at
        // least 4 runs each (one of slack for a loaded machine).
        let before = try checks(f)
        Thread.sleep(forTimeInterval: 5)
        let after = try checks(f)
        for name in ["example", "cgroup"] {
            let id = try #require(after.first { ($0.value["check"] as? String) == name }?.key, "\(after.keys)")
            let runs = (after[id]?["runs"] as? Int ?? 0) - (before[id]?["runs"] as? Int ?? 0)
            #expect(runs >= 4, "\(name) ran \(runs) times in 5 s")
            #expect(after[id]?["errors"] as? Int == 0, "\(after[id] ?? [:])")
        }
        for (id, stats) in after where (stats["check"] as? String) == "hang" {
            #expect(stats["runs"] as? Int == 0, "\(id)")
            #expect(stats["timeouts"] as? Int == 1)
            #expect(stats["errors"] as? Int == 1)
            #expect((stats["skipped"] as? Int ?? 0) >= 5)
            #expect((stats["last_error"] as? String)?.contains("module_run_timeout") == true, "\(stats)")
            #expect((stats["running_for_seconds"] as? Double ?? 0) >= 8)
        }
        // Each hung instance ran once: never started again while its run is out.
        let starts = try String(contentsOfFile: marker, encoding: .utf8).split(separator: "\n")
        #expect(starts == Array(repeating: "started", count: 4))

        // Logged once per episode, with the check's name.
        let text = log()
        #expect(text.components(separatedBy: "check hang (").count - 1 >= 8, "\(text)")
        #expect(text.components(separatedBy: "past its 1.0 s interval").count - 1 == 4, "\(text)")
        #expect(text.components(separatedBy: "exceeded module_run_timeout").count - 1 == 4, "\(text)")

        // Not ready, naming the checks; still live (a restart would not unhang a module for good).
        let health = try f.vigil(["health", "--json"], timeout: 20)
        #expect(health.status == 1, "\(health.stdout)")
        #expect(health.stdout.contains("\"checks\"") && health.stdout.contains("hang ("), "\(health.stdout)")
        #expect(try f.vigil(["health", "--live"], timeout: 20).status == 0)

        // SIGTERM: out within stop_timeout (8 s), abandoning the four runs.
        let stopping = Date()
        let status = agent.stop(timeout: 20)
        let took = Date().timeIntervalSince(stopping)
        #expect(status == 0, "\(log())")
        #expect(took < 8, "stop took \(took) s")
        let stopLog = log()
        #expect(stopLog.components(separatedBy: "stop: abandoning check hang").count - 1 == 4, "\(stopLog)")
        #expect(stopLog.components(separatedBy: "destroy skipped, its run has not returned").count - 1 == 4, "\(stopLog)")
        #expect(stopLog.contains("vigil stopped"))
        let lines = try String(contentsOfFile: marker, encoding: .utf8)
        #expect(!lines.contains("destroyed"), "a hung instance was destroyed under its own run")

        // What the example check collected meanwhile was flushed and stored.
        let series = try #require(try f.json(["query", "example.value", "--json", "--since", "10m"]) as? [[String: Any]])
        #expect(series.flatMap { ($0["points"] as? [[Double]]) ?? [] }.count >= 8)
    }

    /// A module whose destroy never returns (the SIGTERM that never
    /// completed): the stop still ends within stop_timeout and names it.
    @Test func aDestroyThatNeverReturnsDoesNotHoldTheStop() throws {
        let f = try AgentFixture(extraConfig: "flush_interval: 1\nstop_timeout: 5")
        defer { f.remove() }
        let source = Self.hangSource
            .replacingOccurrences(of: "mark(\"started\");\n    for (;;) sleep(1000);", with: "mark(\"started\");")
            .replacingOccurrences(of: "static void hang_destroy(void *instance) { mark(\"destroyed\"); free(instance); }",
                                  with: "static void hang_destroy(void *instance) { (void)instance; mark(\"destroying\"); for (;;) sleep(1000); }")
        #expect(source.contains("for (;;) sleep(1000); }") && !source.contains("for (;;) sleep(1000);\n    return"))
        try f.compileModule(source: source, named: "hang.so")
        try f.write("instances:\n  - min_collection_interval: 1\n", to: "conf.d/hang.d/conf.yaml")
        let marker = f.root + "/hang-marker"
        let agent = try RunningVigil(f, environment: ["HANG_MARKER": marker])
        let log = agent.log
        // It runs, and returns, every second.
        #expect(try Subprocess.poll(timeout: 20, interval: 0.3) {
            ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").split(separator: "\n").count >= 2
        })
        let stopping = Date()
        let status = agent.stop(timeout: 20)
        #expect(status == 0, "\(log())")
        #expect(Date().timeIntervalSince(stopping) < 5.5)
        #expect(log().contains("stop: abandoned hang instance"), "\(log())")
        #expect(log().contains("stop or destroy has not returned"), "\(log())")
        #expect(try String(contentsOfFile: marker, encoding: .utf8).contains("destroying"))
    }

    /// `vigil check` on a module that never returns reports it past
    /// module_run_timeout instead of hanging the command.
    @Test func vigilCheckReportsARunThatNeverReturns() throws {
        let f = try AgentFixture(extraConfig: "module_run_timeout: 2\nstop_timeout: 3")
        defer { f.remove() }
        try f.compileModule(source: Self.hangSource, named: "hang.so")
        try f.write("instances:\n  - min_collection_interval: 1\n", to: "conf.d/hang.d/conf.yaml")
        let started = Date()
        let result = try f.vigil(["check", "hang"], timeout: 30, environment: ["HANG_MARKER": f.root + "/marker"])
        #expect(result.status == 1)
        #expect(Date().timeIntervalSince(started) < 10)
        #expect((result.stdout + result.stderr).contains("run exceeded module_run_timeout (2.0 s) and was abandoned"),
                "\(result.stdout)\n\(result.stderr)")
        #expect((result.stdout + result.stderr).contains("destroy skipped, its run has not returned"))
    }
}
