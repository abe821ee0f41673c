import Foundation
import Logging
import Testing
import VigilConfig
import VigilModel
import VigilModules

/// A module compiled with plain `cc` against the frozen 1.0 header
/// (Tests/ABI/1.0) loads and runs in today's host: its 48-byte metrics (no
/// series_epoch) are read with their own stride, its rates are computed by
/// the host as before, and its old constant names still mean what they meant.
@Suite struct ABICompatibilityTests {
    static let logger = Logger(label: "test")

    static let source = #"""
    #include <stdio.h>
    #include <stdlib.h>
    #include "vigil_module.h"
    #if VIGIL_ABI_MINOR != 0
    #error "this test must compile against the frozen 1.0 header"
    #endif
    _Static_assert(sizeof(vigil_metric) == 48, "1.0 metrics are 48 bytes");
    typedef struct { const vigil_host_api *api; vigil_host *host; double runs; } inst;
    static vigil_status configure(const vigil_host_api *api, vigil_host *host, const vigil_instance_config *c,
                                  void **out, char *err, size_t n) {
        if (api->abi_major != VIGIL_ABI_MAJOR || api->struct_size < sizeof(vigil_host_api)) {
            snprintf(err, n, "host table %u.%u size %u", api->abi_major, api->abi_minor, api->struct_size);
            return VIGIL_ERROR_UNSUPPORTED;
        }
        inst *i = calloc(1, sizeof *i); i->api = api; i->host = host; *out = i; return VIGIL_OK;
    }
    static vigil_status run(void *p, char *err, size_t n) {
        inst *i = p;
        i->runs += 1;
        static const char *const tags[] = {"abi:1.0"};
        /* Three samples in one array: the host must step by 48 bytes. */
        vigil_metric m[3] = {
            {sizeof(vigil_metric), VIGIL_METRIC_GAUGE, "old.gauge", 7, tags, 1, 0, NULL},
            {sizeof(vigil_metric), VIGIL_METRIC_RATE, "old.rate", i->runs * 1000, tags, 1, 0, NULL},
            {sizeof(vigil_metric), VIGIL_METRIC_MONOTONIC_COUNT, "old.total", i->runs * 5, tags, 1, 0, NULL},
        };
        vigil_status s = i->api->submit_metrics(i->host, m, 3);
        if (s != VIGIL_OK) { snprintf(err, n, "submit_metrics: %d", (int)s); return s; }
        vigil_event e = { sizeof(vigil_event), VIGIL_EVENT_PRIORITY_NORMAL, "old event", "", tags, 1,
                          VIGIL_EVENT_WARNING, NULL, NULL, NULL, 0 };
        return i->api->submit_event(i->host, &e);
    }
    static void destroy(void *p) { free(p); }
    static const vigil_module m = { sizeof(vigil_module), VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, "abi10", "1.0", "1.0 module",
                                    VIGIL_KIND_CHECK, 0, configure, run, NULL, NULL, destroy };
    VIGIL_MODULE_ENTRY { return &m; }
    """#

    @Test func moduleBuiltAgainstTheFrozen10HeaderLoadsAndRuns() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        try b.compile(source: Self.source, into: "abi10.so", headers: ModuleBuilder.frozenHeaderDirectory("1.0"))
        let loaded = ModuleLoader.load(directories: [b.directory.path], logger: Self.logger)
        let module = try #require(loaded.modules["abi10"], "\(loaded.records.map(\.status))")
        #expect(module.kinds == .check)
        #expect(loaded.records.first?.abiMinor == 0)
        let services = HostServices(config: try AgentConfig.fromYAML("hostname: h", baseDirectory: "/"),
                                    logger: Self.logger, tagProvider: nil)
        let check = try CheckConfig.parse(try YAMLLoader.load("instances:\n  - {}\n", file: "a.yaml"),
                                          checkName: "abi10", file: "a.yaml")
        let instance = try ModuleInstance(module: module, check: check, instance: check.instances[0], services: services)
        defer { instance.destroy() }

        let first = instance.run()
        #expect(first.error == nil)
        #expect(first.metricSamples == 3)
        let start = WallClock.now()
        Thread.sleep(forTimeInterval: 0.3)
        #expect(instance.run().error == nil)
        let elapsed = WallClock.now() - start
        let batch = instance.context.sampler.flush(now: 0, force: true)
        #expect(batch.series.first { $0.name == "old.gauge" }?.points.map(\.value) == [7, 7])
        // 1000 more per run: the host's rate over the time between the runs.
        let rate = try #require(batch.series.first { $0.name == "old.rate" }?.points.map(\.value))
        #expect(rate.count == 1)
        #expect(abs((rate.first ?? 0) * elapsed - 1000) < 100, "rate \(rate) over \(elapsed) s")
        #expect(batch.series.first { $0.name == "old.total" }?.points.map(\.value) == [5])
        #expect(batch.series.allSatisfy { $0.tags == ["abi:1.0"] })
        #expect(batch.events.map(\.alertType) == [.warning, .warning])
    }
}
