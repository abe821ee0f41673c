import Foundation
import Testing

/// Issue 16 item 1 through the real binary: drop-in modules in
/// `isolation: process` that segfault, abort, hang and leak. The agent stays
/// up, the in-process cgroup check and an isolated example check keep
/// producing on time, `vigil status` names each failure, and the crashing
/// module is restarted with growing delays. In process, the same segfault
/// ends the agent.
@Suite(.serialized) struct IsolatedModuleTests {
    /// One C file, four behaviours: `-DBEHAVIOUR=n` picks what `run` does.
    static func misbehavingSource(name: String, behaviour: Int) -> String {
        """
        #include <signal.h>
        #include <stdlib.h>
        #include <string.h>
        #include <unistd.h>
        #include "vigil_module.h"

        typedef struct { const vigil_host_api *api; vigil_host *host; } instance;

        static vigil_status bad_configure(const vigil_host_api *api, vigil_host *host,
                                          const vigil_instance_config *config, void **out,
                                          char *errbuf, size_t size) {
            (void)config; (void)errbuf; (void)size;
            instance *self = calloc(1, sizeof *self);
            self->api = api;
            self->host = host;
            *out = self;
            return VIGIL_OK;
        }

        static vigil_status bad_run(void *p, char *errbuf, size_t size) {
            instance *self = p;
            (void)errbuf; (void)size;
            vigil_metric m = { .struct_size = sizeof m, .type = VIGIL_METRIC_GAUGE, .name = "\(name).alive", .value = 1 };
            self->api->submit_metrics(self->host, &m, 1);
            switch (\(behaviour)) {
            case 1: { volatile int *nowhere = NULL; *nowhere = 1; break; }
            case 2: abort();
            case 3: for (;;) sleep(1000);
            case 4: for (int i = 0; i < 64; i++) { char *block = malloc(1 << 20); memset(block, 1, 1 << 20); } break;
            }
            return VIGIL_OK;
        }

        static void bad_destroy(void *p) { free(p); }

        static const vigil_module bad_module = {
            .struct_size = sizeof(vigil_module), .abi_major = VIGIL_ABI_MAJOR, .abi_minor = VIGIL_ABI_MINOR,
            .name = "\(name)", .version = "1.0.0", .description = "misbehaves on purpose",
            .kinds = VIGIL_MODULE_KIND_CHECK,
            .configure = bad_configure, .run = bad_run, .destroy = bad_destroy,
        };

        VIGIL_MODULE_ENTRY {
            (void)host_abi_minor;
            return host_abi_major == VIGIL_ABI_MAJOR ? &bad_module : NULL;
        }
        """
    }

    static let misbehaving = [("segv", 1), ("aborts", 2), ("hangs", 3), ("leaks", 4)]

    func status(_ f: AgentFixture) -> [String: Any] {
        ((try? f.json(["status", "--json"])) as? [String: Any]) ?? [:]
    }

    func processes(_ status: [String: Any]) -> [String: [String: Any]] {
        let list = status["module_processes"] as? [[String: Any]] ?? []
        return Dictionary(list.map { ($0["module"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    }

    func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid
        }
    }

    @Test func crashingAbortingHangingAndLeakingModulesLeaveTheAgentAndOtherChecksRunning() throws {
        // Isolation is the default here; the shipped cgroup check opts back in process.
        let f = try AgentFixture(extraConfig: """
            flush_interval: 1
            check_runners: 4
            module_isolation: process
            module_run_timeout: 3
            stop_timeout: 10
            """)
        defer { f.remove() }
        for (name, behaviour) in Self.misbehaving {
            try f.compileModule(source: Self.misbehavingSource(name: name, behaviour: behaviour), named: "\(name).so")
            let limit = name == "leaks" ? "  memory_limit: 96MB\n" : ""
            try f.write("init_config:\n\(limit)instances:\n  - min_collection_interval: 1\n", to: "conf.d/\(name).d/conf.yaml")
        }
        try f.compileModule(file: AgentFixture.repoRoot + "/Plugins/example/example.c", named: "example.so")
        try f.write("instances:\n  - value: 7\n    min_collection_interval: 1\n", to: "conf.d/example.d/conf.yaml")
        try f.copyBuiltModule("vigil-cgroup", as: "libvigil-cgroup.so")
        try f.write("init_config:\n  isolation: in_process\ninstances:\n  - min_collection_interval: 1\n",
                    to: "conf.d/cgroup.d/conf.yaml")
        let agent = try RunningVigil(f)
        let log = agent.log

        // Every misbehaving module has failed at least once, for its own reason,
        // and has been started again.
        let reasons = ["segv": "signal 11", "aborts": "signal 6", "hangs": "hung: run did not return within module_run_timeout",
                       "leaks": "memory limit"]
        var seen: [String: [String: Any]] = [:]
        let failed = Subprocess.poll(timeout: 40, interval: 0.5) {
            seen = processes(status(f))
            return reasons.allSatisfy { name, reason in
                let process = seen[name] ?? [:]
                let last = (process["last_failure"] as? [String: Any])?["reason"] as? String ?? ""
                return last.contains(reason) && (process["restarts"] as? Int ?? 0) >= 1
            }
        }
        #expect(failed, "\(seen)\n\(log())")
        #expect(kill(agent.pid, 0) == 0, "the agent died: \(log())")

        // Meanwhile the other checks produce every second: the in-process cgroup
        // check and the isolated example check (its samples cross the socket).
        let before = status(f)["checks"] as? [String: [String: Any]] ?? [:]
        Thread.sleep(forTimeInterval: 5)
        let now = status(f)
        let after = now["checks"] as? [String: [String: Any]] ?? [:]
        for name in ["example", "cgroup"] {
            let id = try #require(after.first { ($0.value["check"] as? String) == name }?.key, "\(after.keys)")
            let runs = (after[id]?["runs"] as? Int ?? 0) - (before[id]?["runs"] as? Int ?? 0)
            #expect(runs >= 4, "\(name) ran \(runs) times in 5 s")
            #expect(after[id]?["errors"] as? Int == 0, "\(after[id] ?? [:])")
        }
        let example = try #require(processes(now)["example"])
        #expect(example["state"] as? String == "running")
        #expect(example["restarts"] as? Int == 0)
        #expect((example["rss_bytes"] as? Int ?? 0) > 1 << 20)
        #expect(processes(now)["cgroup"] == nil, "cgroup runs in process")

        // The crashing module is restarted with growing delays.
        let text = log()
        let delays = text.split(separator: "\n").filter { $0.contains("for segv:") && $0.contains("restarting in") }
            .compactMap { $0.components(separatedBy: "restarting in ").last }
        #expect(Array(delays.prefix(3)) == ["1.0 s", "2.0 s", "4.0 s"], "\(text)")
        #expect(text.contains("killed by signal 11"))

        // The isolated example check's metrics and service check reached the store.
        let series = try #require(try f.json(["query", "example.value", "--json", "--since", "10m"]) as? [[String: Any]])
        #expect(series.flatMap { ($0["points"] as? [[Double]]) ?? [] }.count >= 5)

        // SIGTERM: the agent stops in order and leaves no child behind.
        let kids = children(of: agent.pid)
        #expect(kids.contains(pid_t(example["pid"] as? Int ?? -1)), "\(kids) \(example)")
        let stopping = Date()
        #expect(agent.stop(timeout: 30) == 0, "\(log())")
        #expect(Date().timeIntervalSince(stopping) < 10)
        #expect(Subprocess.poll(timeout: 5, interval: 0.1) { kids.allSatisfy { kill($0, 0) != 0 } }, "children left: \(kids)")
    }

    /// In process there is nothing between the module and the agent: the
    /// same segfault ends it (what the docs tell check authors).
    @Test func inProcessTheSameCrashEndsTheAgent() throws {
        let f = try AgentFixture(extraConfig: "flush_interval: 1")
        defer { f.remove() }
        try f.compileModule(source: Self.misbehavingSource(name: "segv", behaviour: 1), named: "segv.so")
        try f.write("instances:\n  - min_collection_interval: 1\n", to: "conf.d/segv.d/conf.yaml")
        let agent = try RunningVigil(f)
        let status = agent.stop(timeout: 30, signal: false)
        #expect(status == 128 + SIGSEGV, "\(String(describing: status))\n\(agent.log())")
    }
}
