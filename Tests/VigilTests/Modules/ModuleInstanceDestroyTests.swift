import Foundation
import Logging
import Testing
import VigilConfig
import VigilModel
import VigilModules
import VigilWorkload

/// A destroy asked for while a run is out (autodiscovery retiring a
/// container's check, the agent stopping) must neither wait for the run
/// nor free the instance under it: it returns at once and is done when the
/// run returns. A C module whose run waits for a file to appear, compiled
/// with plain `cc`, shows the order of calls in a trace file.
@Suite(.serialized) struct ModuleInstanceDestroyTests {
    static let source = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <unistd.h>
        #include "vigil_module.h"

        static void trace(const char *what) {
            FILE *f = fopen(getenv("SLOW_TRACE"), "a");
            if (f) { fprintf(f, "%s\\n", what); fclose(f); }
        }

        static vigil_status slow_configure(const vigil_host_api *api, vigil_host *host,
                                           const vigil_instance_config *config, void **out,
                                           char *errbuf, size_t size) {
            (void)api; (void)host; (void)config; (void)errbuf; (void)size;
            *out = malloc(16);
            return VIGIL_OK;
        }

        /* Returns once $SLOW_RELEASE exists. */
        static vigil_status slow_run(void *instance, char *errbuf, size_t size) {
            (void)instance; (void)errbuf; (void)size;
            trace("run started");
            while (access(getenv("SLOW_RELEASE"), F_OK) != 0) usleep(10000);
            trace("run returned");
            return VIGIL_OK;
        }

        static void slow_destroy(void *instance) { trace("destroyed"); free(instance); }

        static const vigil_module slow_module = {
            .struct_size = sizeof(vigil_module), .abi_major = VIGIL_ABI_MAJOR, .abi_minor = VIGIL_ABI_MINOR,
            .name = "slow", .version = "1.0.0", .description = "a run that waits for a file",
            .kinds = VIGIL_MODULE_KIND_CHECK,
            .configure = slow_configure, .run = slow_run, .destroy = slow_destroy,
        };

        VIGIL_MODULE_ENTRY {
            (void)host_abi_minor;
            return host_abi_major == VIGIL_ABI_MAJOR ? &slow_module : NULL;
        }
        """

    @Test func aDestroyDuringARunWaitsForTheRunsEndWithoutBlocking() throws {
        let builder = try ModuleBuilder()
        defer { builder.remove() }
        let trace = builder.path("trace"), release = builder.path("release")
        setenv("SLOW_TRACE", trace, 1)
        setenv("SLOW_RELEASE", release, 1)
        try builder.compile(source: Self.source, into: "slow.so")
        let logger = Logger(label: "test")
        let loaded = ModuleLoader.load(directories: [builder.directory.path], logger: logger)
        let module = try #require(loaded.modules["slow"], "\(loaded.records.map(\.status))")
        let services = HostServices(config: try AgentConfig.fromYAML("hostname: hh", baseDirectory: "/"),
                                    logger: logger, tagProvider: nil, workload: WorkloadStore())
        let check = try CheckConfig.parse(try YAMLLoader.load("instances:\n  - tags: [i:1]\n", file: "s.yaml"),
                                          checkName: "slow", file: "s.yaml")
        let instance = try ModuleInstance(module: module, check: check, instance: check.instances[0], services: services)
        func lines() -> [String] {
            ((try? String(contentsOfFile: trace, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        let runner = Thread { _ = instance.run() }
        runner.start()
        let deadline = Date().addingTimeInterval(10)
        while lines() != ["run started"], Date() < deadline { usleep(10_000) }
        #expect(instance.isRunning)

        let started = Date()
        #expect(instance.destroy() == false, "the destroy is left to the run's end")
        #expect(Date().timeIntervalSince(started) < 0.5)
        usleep(200_000)
        #expect(lines() == ["run started"], "destroyed under its own run")

        FileManager.default.createFile(atPath: release, contents: Data())
        while lines().count < 3, Date() < deadline { usleep(10_000) }
        #expect(lines() == ["run started", "run returned", "destroyed"])
        #expect(!instance.isRunning)
        // Once destroyed, a run is refused instead of reaching the module.
        #expect(instance.run().error != nil)
        #expect(lines().count == 3)
    }
}
