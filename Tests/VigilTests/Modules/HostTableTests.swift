import Foundation
import Logging
import Testing
import VigilConfig
import VigilModel
import VigilModules

/// Exercises host functions from a real C module: bad samples are counted
/// and skipped, logging warnings reach the run result, config values render.
@Suite struct HostTableTests {
    static let source = #"""
    #include <math.h>
    #include <stdio.h>
    #include <string.h>
    #include <stdlib.h>
    #include "vigil_module.h"
    typedef struct { const vigil_host_api *api; vigil_host *host; } inst;
    static vigil_status configure(const vigil_host_api *api, vigil_host *host, const vigil_instance_config *c,
                                  void **out, char *err, size_t n) {
        inst *i = calloc(1, sizeof *i); i->api = api; i->host = host; *out = i; return VIGIL_OK;
    }
    static vigil_status run(void *p, char *err, size_t n) {
        inst *i = p;
        char buf[128], name[160];
        size_t len = i->api->config_value(i->host, VIGIL_CONFIG_INSTANCE, "nested.list", buf, sizeof buf);
        size_t missing = i->api->config_value(i->host, VIGIL_CONFIG_INSTANCE, "absent", buf + 100, 8);
        if (i->api->config_value(i->host, VIGIL_CONFIG_AGENT, "api_key", buf + 100, 8) != (size_t)-1) {
            snprintf(err, n, "api_key leaked to a module"); return VIGIL_ERROR;
        }
        char host[64]; i->api->hostname(i->host, host, sizeof host);
        snprintf(name, sizeof name, "len.%zu.%s.%s", len, missing == (size_t)-1 ? "missing" : "present", host);
        const char *tags[] = {"b:2", "a:1", "b:2"};
        vigil_metric m[4] = {
            {sizeof(vigil_metric), VIGIL_METRIC_GAUGE, name, 1, tags, 3, 0, NULL},
            {sizeof(vigil_metric), VIGIL_METRIC_GAUGE, NULL, 1, NULL, 0, 0, NULL},
            {sizeof(vigil_metric), VIGIL_METRIC_GAUGE, "nan", NAN, NULL, 0, 0, NULL},
            {sizeof(vigil_metric), VIGIL_METRIC_COUNT, "other.host", 3, NULL, 0, 0, "elsewhere"},
        };
        vigil_status s = i->api->submit_metrics(i->host, m, 4);
        if (s != VIGIL_ERROR_INVALID) { snprintf(err, n, "expected INVALID, got %d", s); return VIGIL_ERROR; }
        i->api->log(i->host, VIGIL_LOG_WARN, "careful");
        if (i->api->entity_tags(i->host, "container_id://x", VIGIL_CARDINALITY_LOW, NULL, NULL) != VIGIL_ERROR_INVALID) return VIGIL_ERROR;
        snprintf(err, n, "deliberate failure");
        return VIGIL_ERROR;
    }
    static void destroy(void *p) { free(p); }
    static const vigil_module m = { sizeof(vigil_module), VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, "probe", "0", "test",
                                    VIGIL_MODULE_KIND_CHECK, 0, configure, run, NULL, NULL, destroy };
    VIGIL_MODULE_ENTRY { return &m; }
    """#

    @Test func hostFunctionsBehaveAsDocumented() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        try b.compile(source: Self.source, into: "probe.so")
        let logger = Logger(label: "test")
        let module = try #require(ModuleLoader.load(directories: [b.directory.path], logger: logger).modules["probe"])
        let services = HostServices(config: try AgentConfig.fromYAML("hostname: hh\napi_key: sekrit", baseDirectory: "/"),
                                    logger: logger, tagProvider: nil)
        let check = try CheckConfig.parse(
            try YAMLLoader.load("instances:\n  - nested: {list: [1, two]}\n    tags: [i:1]\n", file: "p.yaml"),
            checkName: "probe", file: "p.yaml")
        let instance = try ModuleInstance(module: module, check: check, instance: check.instances[0], services: services)
        defer { instance.destroy() }
        let result = instance.run()
        #expect(result.error == "deliberate failure")
        // The NULL-named and non-finite samples the probe submits are counted as a warning of the run.
        #expect(result.warnings == ["careful", "2 samples refused: a NULL name, a value that is not finite, or a control character in a name or tag"])
        #expect(result.metricSamples == 2)
        let series = instance.context.sampler.flush(now: 0, force: true).series
        // [1,"two"] rendered as JSON is 9 bytes long.
        let gauge = try #require(series.first { $0.name == "len.9.missing.hh" }, "\(series.map(\.name))")
        #expect(gauge.tags == ["a:1", "b:2", "i:1"])
        #expect(series.first { $0.name == "other.host" }?.host == "elsewhere")
        #expect(!series.contains { $0.name == "nan" })
    }
}
