import Foundation
import Logging
import Testing
import VigilConfig
import VigilModel
import VigilModules

/// A module's samples whose name or tag carries a terminal control are
/// refused like DogStatsD's, counted as a warning of the run; the others stay.
@Suite struct ControlCharacterSubmissionTests {
    static let source = """
        #include <stdlib.h>
        #include "vigil_module.h"
        typedef struct { const vigil_host_api *api; vigil_host *host; } inst;
        static vigil_status configure(const vigil_host_api *api, vigil_host *host, const vigil_instance_config *c,
                                      void **out, char *e, size_t n) {
            (void)c; (void)e; (void)n;
            inst *i = malloc(sizeof *i); i->api = api; i->host = host; *out = i; return VIGIL_OK;
        }
        static vigil_status run(void *p, char *e, size_t n) {
            (void)e; (void)n;
            inst *i = p;
            const char *bad_tag[] = { "color:\\x1b[31mred" };
            const char *good_tag[] = { "color:red" };
            vigil_metric m[3] = {
                { .struct_size = sizeof(vigil_metric), .name = "esc\\x1b[2Jname", .value = 1, .type = VIGIL_METRIC_GAUGE },
                { .struct_size = sizeof(vigil_metric), .name = "tagged", .value = 2, .type = VIGIL_METRIC_GAUGE,
                  .tags = bad_tag, .tag_count = 1 },
                { .struct_size = sizeof(vigil_metric), .name = "clean", .value = 3, .type = VIGIL_METRIC_GAUGE,
                  .tags = good_tag, .tag_count = 1 },
            };
            return i->api->submit_metrics(i->host, m, 3) == VIGIL_ERROR_INVALID ? VIGIL_OK : VIGIL_ERROR;
        }
        static void destroy(void *p) { free(p); }
        static const vigil_module mod = { .struct_size = sizeof(vigil_module), .abi_major = VIGIL_ABI_MAJOR,
            .abi_minor = VIGIL_ABI_MINOR, .name = "controls", .version = "1", .kinds = VIGIL_MODULE_KIND_CHECK,
            .configure = configure, .run = run, .destroy = destroy };
        VIGIL_MODULE_ENTRY { return &mod; }
        """

    @Test func samplesWithControlsAreRefusedAndTheRunSaysHowMany() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        try b.compile(source: Self.source, into: "controls.so")
        let module = try #require(ModuleLoader.load(directories: [b.directory.path], logger: Logger(label: "t")).modules["controls"])
        let config = try AgentConfig.fromYAML("hostname: h", baseDirectory: b.directory.path)
        let services = HostServices(config: config, logger: Logger(label: "t"), tagProvider: nil)
        let check = try CheckConfig.parse(try YAMLLoader.load("instances:\n  - {}\n", file: "c.yaml"),
                                          checkName: "controls", file: "c.yaml")
        let instance = try ModuleInstance(module: module, check: check, instance: check.instances[0], services: services)
        defer { instance.destroy() }
        let result = instance.run()
        #expect(result.error == nil, "submit_metrics did not answer VIGIL_ERROR_INVALID")
        #expect(result.warnings == ["2 samples refused: a NULL name, a value that is not finite, or a control character in a name or tag"])
        let batch = instance.context.sampler.flush(now: 0, force: true)
        #expect(batch.series.map(\.name) == ["clean"])
    }
}
