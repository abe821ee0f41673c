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

    /// A 1.1 module's series_epoch travels through the real host table into
    /// the check sampler: a new epoch is a new baseline, for rates and deltas.
    static let epochSource = #"""
    #include <stdlib.h>
    #include "vigil_module.h"
    _Static_assert(VIGIL_ABI_MINOR >= 1, "series_epoch is 1.1");
    typedef struct { const vigil_host_api *api; vigil_host *host; int run; } inst;
    static vigil_status configure(const vigil_host_api *api, vigil_host *host, const vigil_instance_config *c,
                                  void **out, char *err, size_t n) {
        inst *i = calloc(1, sizeof *i); i->api = api; i->host = host; *out = i; return VIGIL_OK;
    }
    static vigil_status run(void *p, char *err, size_t n) {
        inst *i = p;
        /* Runs 0, 1 in epoch 1; runs 2, 3 in epoch 2, whose counters are higher still. */
        static const double totals[4] = {10, 15, 40, 48};
        uint64_t epoch = i->run < 2 ? 1 : 2;
        vigil_metric m[2] = {
            {.struct_size = sizeof(vigil_metric), .type = VIGIL_METRIC_MONOTONIC_COUNT, .name = "new.total",
             .value = totals[i->run], .series_epoch = epoch},
            {.struct_size = sizeof(vigil_metric), .type = VIGIL_METRIC_RATE, .name = "new.rate",
             .value = totals[i->run] * 100, .series_epoch = epoch},
        };
        i->run = (i->run + 1) % 4;
        return i->api->submit_metrics(i->host, m, 2);
    }
    static void destroy(void *p) { free(p); }
    static const vigil_module m = { sizeof(vigil_module), VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, "epochs", "1.1", "epochs",
                                    VIGIL_MODULE_KIND_CHECK, 0, configure, run, NULL, NULL, destroy };
    VIGIL_MODULE_ENTRY { return &m; }
    """#

    @Test func seriesEpochReachesTheHostsRateEngine() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        try b.compile(source: Self.epochSource, into: "epochs.so")
        let module = try #require(ModuleLoader.load(directories: [b.directory.path], logger: Self.logger).modules["epochs"])
        let services = HostServices(config: try AgentConfig.fromYAML("hostname: h", baseDirectory: "/"),
                                    logger: Self.logger, tagProvider: nil)
        let check = try CheckConfig.parse(try YAMLLoader.load("instances:\n  - {}\n", file: "e.yaml"),
                                          checkName: "epochs", file: "e.yaml")
        let instance = try ModuleInstance(module: module, check: check, instance: check.instances[0], services: services)
        defer { instance.destroy() }
        for _ in 0..<4 {
            #expect(instance.run().error == nil)
            usleep(20_000)   // Commits a little apart, so every rate has an interval.
        }
        let batch = instance.context.sampler.flush(now: 0, force: true)
        // 15 - 10 in epoch 1, nothing across the change (40 - 15 would be wrong), 48 - 40 in epoch 2.
        #expect(batch.series.first { $0.name == "new.total" }?.points.map(\.value) == [5, 8])
        let rates = try #require(batch.series.first { $0.name == "new.rate" }?.points)
        #expect(rates.count == 2, "one rate per epoch, none across: \(rates)")
    }

    /// The 1.0 names still compile, with the values they always had, and warn.
    @Test func deprecatedNamesKeepTheirValuesAndWarn() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        let source = """
            #include "vigil_module.h"
            _Static_assert(VIGIL_EVENT_SET == VIGIL_ENTITY_EVENT_SET && VIGIL_EVENT_SET == 0, "");
            _Static_assert(VIGIL_EVENT_UNSET == VIGIL_ENTITY_EVENT_UNSET && VIGIL_EVENT_UNSET == 1, "");
            _Static_assert(VIGIL_EVENT_INFO == VIGIL_ALERT_INFO && VIGIL_ALERT_INFO == 0, "");
            _Static_assert(VIGIL_EVENT_WARNING == VIGIL_ALERT_WARNING && VIGIL_ALERT_WARNING == 1, "");
            _Static_assert(VIGIL_EVENT_ERROR == VIGIL_ALERT_ERROR && VIGIL_ALERT_ERROR == 2, "");
            _Static_assert(VIGIL_EVENT_SUCCESS == VIGIL_ALERT_SUCCESS && VIGIL_ALERT_SUCCESS == 3, "");
            _Static_assert(VIGIL_KIND_CHECK == VIGIL_MODULE_KIND_CHECK && VIGIL_MODULE_KIND_CHECK == 0x1u, "");
            _Static_assert(VIGIL_KIND_COLLECTOR == VIGIL_MODULE_KIND_COLLECTOR && VIGIL_MODULE_KIND_COLLECTOR == 0x2u, "");
            _Static_assert(VIGIL_KIND_SUBSCRIBER == VIGIL_MODULE_KIND_SUBSCRIBER && VIGIL_MODULE_KIND_SUBSCRIBER == 0x4u, "");
            _Static_assert(VIGIL_KIND_BIT(VIGIL_ENTITY_IMAGE) == VIGIL_ENTITY_KIND_BIT(VIGIL_ENTITY_IMAGE), "");
            _Static_assert(VIGIL_ENTITY_EVENT_BIT(VIGIL_ENTITY_EVENT_UNSET) == 2u, "");
            int old_names_still_compile(void) { return VIGIL_EVENT_SET; }
            """
        try b.compile(source: source, into: "silenced.so", flags: ["-Werror", "-DVIGIL_NO_DEPRECATION_WARNINGS"])
        #expect(throws: ModuleBuilder.BuildError.self, "a deprecated name must warn") {
            try b.compile(source: source, into: "warned.so", flags: ["-Werror"])
        }
    }
}
