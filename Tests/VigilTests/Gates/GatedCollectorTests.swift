import Foundation
import Logging
import Testing
import VigilAgent
import VigilConfig
import VigilModel
import VigilModules
import VigilWorkload

/// A collector declared `wait_for_gate: autoscaling` is not configured while
/// the gate is dormant, is configured and started when a module opens the
/// gate through the host table (ABI 1.3), and is stopped and destroyed once
/// the gate has closed for close_after. Real C modules, the real loader,
/// CheckSetup and workload store.
@Suite(.serialized) struct GatedCollectorTests {
    /// A collector that counts its lives in a pod entity: published at
    /// start, withdrawn at stop; configure and destroy append to a log file.
    static let collector = #"""
    #include <stdio.h>
    #include <stdlib.h>
    #include "vigil_module.h"
    typedef struct { const vigil_host_api *api; vigil_host *host; char log[256]; } inst;
    static void note(inst *i, const char *what) {
        FILE *f = fopen(i->log, "a"); if (f) { fprintf(f, "%s\n", what); fclose(f); }
    }
    static vigil_status configure(const vigil_host_api *api, vigil_host *host, const vigil_instance_config *c,
                                  void **out, char *err, size_t n) {
        inst *i = calloc(1, sizeof *i); i->api = api; i->host = host;
        if (api->config_value(host, VIGIL_CONFIG_INSTANCE, "log", i->log, sizeof i->log) == (size_t)-1) {
            snprintf(err, n, "log is required"); free(i); return VIGIL_ERROR_CONFIG;
        }
        note(i, "configure"); *out = i; return VIGIL_OK;
    }
    static vigil_status start(void *p, char *err, size_t n) {
        inst *i = p;
        const char *attrs[] = {"state", "started"};
        vigil_entity e = { sizeof e, VIGIL_ENTITY_POD, "gated-pod", NULL, NULL, attrs, 1, 0 };
        note(i, "start");
        return i->api->publish_entity(i->host, "gated", &e);
    }
    static void stop(void *p) { inst *i = p; note(i, "stop"); i->api->remove_entity(i->host, "gated", VIGIL_ENTITY_POD, "gated-pod"); }
    static void destroy(void *p) { inst *i = p; note(i, "destroy"); free(i); }
    static const vigil_module m = { sizeof(vigil_module), VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, "gated", "0", "gated collector",
                                    VIGIL_MODULE_KIND_COLLECTOR, 0, configure, NULL, start, stop, destroy };
    VIGIL_MODULE_ENTRY { return &m; }
    """#

    /// A check that opens or lets go of the gate named in its instance, and
    /// checks what gate_state answers.
    static let owner = #"""
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include "vigil_module.h"
    typedef struct { const vigil_host_api *api; vigil_host *host; } inst;
    static vigil_status configure(const vigil_host_api *api, vigil_host *host, const vigil_instance_config *c,
                                  void **out, char *err, size_t n) {
        if (!VIGIL_HOST_HAS(api, gate_set) || !VIGIL_HOST_HAS(api, gate_state)) { snprintf(err, n, "no gates"); return VIGIL_ERROR_UNSUPPORTED; }
        inst *i = calloc(1, sizeof *i); i->api = api; i->host = host; *out = i; return VIGIL_OK;
    }
    static vigil_status run(void *p, char *err, size_t n) {
        inst *i = p;
        char want[16] = "";
        i->api->config_value(i->host, VIGIL_CONFIG_INSTANCE, "open", want, sizeof want);
        int open = strcmp(want, "true") == 0;
        vigil_status s = i->api->gate_set(i->host, "autoscaling", open, open ? "DatadogPodAutoscaler default/web" : "no DatadogPodAutoscaler");
        if (s != VIGIL_OK) { snprintf(err, n, "gate_set answered %d", s); return VIGIL_ERROR; }
        uint32_t state = 99;
        if (i->api->gate_state(i->host, "autoscaling", &state) != VIGIL_OK) { snprintf(err, n, "gate_state failed"); return VIGIL_ERROR; }
        uint32_t other = 99;
        if (i->api->gate_state(i->host, "undeclared", &other) != VIGIL_ERROR_NOT_FOUND || other != VIGIL_GATE_OPEN) {
            snprintf(err, n, "an undeclared gate must read as open and NOT_FOUND"); return VIGIL_ERROR;
        }
        if (i->api->gate_set(i->host, "undeclared", 1, NULL) != VIGIL_ERROR_NOT_FOUND) { snprintf(err, n, "set undeclared"); return VIGIL_ERROR; }
        if (i->api->gate_set(i->host, "", 1, NULL) != VIGIL_ERROR_INVALID) { snprintf(err, n, "empty name"); return VIGIL_ERROR; }
        snprintf(err, n, "state %u", state);
        return VIGIL_ERROR;  /* the message carries the state back to the test */
    }
    static void destroy(void *p) { free(p); }
    static const vigil_module m = { sizeof(vigil_module), VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, "owner", "0", "gate owner",
                                    VIGIL_MODULE_KIND_CHECK, 0, configure, run, NULL, NULL, destroy };
    VIGIL_MODULE_ENTRY { return &m; }
    """#

    struct Fixture {
        let builder: ModuleBuilder
        let confd: String
        let log: String
        let store = WorkloadStore()
        let setup: CheckSetup
        let services: HostServices

        init(agentYAML: String) throws {
            builder = try ModuleBuilder()
            try builder.compile(source: GatedCollectorTests.collector, into: "gated.so")
            try builder.compile(source: GatedCollectorTests.owner, into: "owner.so")
            confd = builder.path("conf.d")
            log = builder.path("gated.log")
            try FileManager.default.createDirectory(atPath: confd + "/gated.d", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: confd + "/owner.d", withIntermediateDirectories: true)
            try "init_config:\n  wait_for_gate: autoscaling\ninstances:\n  - log: \(log)\n"
                .write(toFile: confd + "/gated.d/conf.yaml", atomically: true, encoding: .utf8)
            try "instances:\n  - open: true\n  - open: false\n"
                .write(toFile: confd + "/owner.d/conf.yaml", atomically: true, encoding: .utf8)
            let config = try AgentConfig.fromYAML(
                "hostname: h\nmodules_path: [\(builder.directory.path)]\nconfd_path: [\(confd)]\n" + agentYAML,
                baseDirectory: builder.directory.path)
            let logger = Logger(label: "test")
            services = HostServices(config: config, logger: logger, tagProvider: nil, workload: store)
            setup = CheckSetup(config: config, logger: logger)
            setup.instantiate(services: services)
            setup.startCollectors(logger: logger)
        }

        var lifecycle: [String] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        var podPublished: Bool { store.entity(kind: .pod, id: "gated-pod") != nil }
        func owner(open: Bool) -> ModuleInstance {
            setup.instances.filter { $0.checkName == "owner" }[open ? 0 : 1]
        }
        func settle() {
            services.gates.drain()
            Thread.sleep(forTimeInterval: 0.05)
            services.gates.drain()
        }
        func remove() {
            setup.shutdown()
            builder.remove()
        }
    }

    @Test func dormantOpenClosingDormant() throws {
        let f = try Fixture(agentYAML: "autoscaling_enabled: true\nautoscaling_close_after: 0.5\n")
        defer { f.remove() }
        f.settle()
        // Dormant: the module is loaded but the instance does not exist.
        #expect(f.services.gates.state(of: "autoscaling") == .dormant)
        #expect(f.lifecycle.isEmpty)
        #expect(!f.podPublished)
        #expect(f.setup.runningInstances.filter { $0.checkName == "gated" }.isEmpty)

        // The owner opens the gate through the host table: the collector is configured and started.
        #expect(f.owner(open: true).run().error == "state \(GateState.open.rawValue)")
        f.settle()
        #expect(f.lifecycle == ["configure", "start"])
        #expect(f.podPublished)
        #expect(f.setup.runningInstances.filter { $0.checkName == "gated" }.count == 1)
        let status = f.setup.gatesJSON(f.services.gates).serialized()
        #expect(status.contains(#""reason":"DatadogPodAutoscaler default/web""#), "\(status)")
        #expect(status.contains(#""running":true"#), "\(status)")

        // Let go: closing, the collector still runs until close_after has passed.
        #expect(f.owner(open: false).run().error == "state \(GateState.closing.rawValue)")
        f.settle()
        #expect(f.podPublished)
        let deadline = Date(timeIntervalSinceNow: 5)
        while f.services.gates.state(of: "autoscaling") != .dormant && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        f.settle()
        #expect(f.services.gates.state(of: "autoscaling") == .dormant)
        #expect(f.lifecycle == ["configure", "start", "stop", "destroy"])
        #expect(!f.podPublished)
        #expect(f.setup.runningInstances.filter { $0.checkName == "gated" }.isEmpty)

        // Opened again: a new instance.
        _ = f.owner(open: true).run()
        f.settle()
        #expect(f.lifecycle == ["configure", "start", "stop", "destroy", "configure", "start"])
        #expect(f.podPublished)
    }

    @Test func withoutTheGateDeclaredTheCollectorStartsAtOnce() throws {
        let f = try Fixture(agentYAML: "")
        defer { f.remove() }
        f.settle()
        #expect(f.lifecycle == ["configure", "start"])
        #expect(f.podPublished)
        #expect(f.setup.gated == nil)
        // The owner's gate_set finds no gate: NOT_FOUND, reported by the probe as an error.
        #expect(f.owner(open: true).run().error == "gate_set answered \(VIGIL_ERROR_NOT_FOUND_VALUE)")
    }
}

/// VIGIL_ERROR_NOT_FOUND's value, without importing the C header into the test.
private let VIGIL_ERROR_NOT_FOUND_VALUE = 4
