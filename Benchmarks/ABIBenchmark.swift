import Foundation
import Logging
import VigilAggregation
import VigilConfig
import VigilModel
import VigilModules

/// Cost of one metric submitted by a C module through the host table into
/// the check sampler, beside the same samples added from Swift directly
/// (the sampler alone, which is the floor the ABI crossing adds to).
enum ABIBenchmark {
    static let contexts = 1000
    static let metricsPerRun = 100_000

    static let moduleSource = """
    #include <stdio.h>
    #include <stdlib.h>
    #include "vigil_module.h"
    #define CONTEXTS \(contexts)
    #define PER_RUN \(metricsPerRun)
    typedef struct { const vigil_host_api *api; vigil_host *host; char names[CONTEXTS][32]; } inst;
    static vigil_status configure(const vigil_host_api *api, vigil_host *host, const vigil_instance_config *c,
                                  void **out, char *err, size_t n) {
        inst *i = calloc(1, sizeof *i); i->api = api; i->host = host;
        for (int k = 0; k < CONTEXTS; k++) snprintf(i->names[k], 32, "bench.metric.%d", k);
        *out = i; return VIGIL_OK;
    }
    static vigil_status run(void *p, char *err, size_t n) {
        inst *i = p;
        static const char *const tags[] = {"env:prod", "service:web", "version:1.2.3"};
        vigil_metric batch[100];
        for (int done = 0; done < PER_RUN; done += 100) {
            for (int j = 0; j < 100; j++) {
                batch[j] = (vigil_metric){ .struct_size = sizeof(vigil_metric), .type = VIGIL_METRIC_GAUGE,
                    .name = i->names[(done + j) % CONTEXTS], .value = done + j, .tags = tags, .tag_count = 3 };
            }
            i->api->submit_metrics(i->host, batch, 100);
        }
        return VIGIL_OK;
    }
    static void destroy(void *p) { free(p); }
    static const vigil_module m = { sizeof(vigil_module), VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, "abibench", "1", "",
                                    VIGIL_MODULE_KIND_CHECK, 0, configure, run, NULL, NULL, destroy };
    VIGIL_MODULE_ENTRY { return &m; }
    """

    static func run(_ arguments: [String]) async throws {
        let rounds = Int(arguments.first ?? "") ?? 10
        // Beside vigil-bench, not in /tmp: the loader refuses modules in folders other users can write.
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let dir = products.appendingPathComponent("vigil-abibench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let header = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("CHeaders/include").path
        try moduleSource.write(toFile: dir + "/bench.c", atomically: true, encoding: .utf8)
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        cc.arguments = ["-O2", "-shared", "-fPIC", "-I", header, dir + "/bench.c", "-o", dir + "/bench.so"]
        try cc.run()
        cc.waitUntilExit()
        guard cc.terminationStatus == 0 else { print("cc failed"); return }

        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let loaded = ModuleLoader.load(directories: [dir], logger: logger)
        guard let module = loaded.modules["abibench"] else { print("module did not load: \(loaded.records)"); return }
        let config = try AgentConfig.fromYAML("hostname: bench", baseDirectory: dir)
        let services = HostServices(config: config, logger: logger, tagProvider: nil)
        let check = try CheckConfig.parse(try YAMLLoader.load("instances: [{tags: [team:a]}]", file: "b"),
                                          checkName: "abibench", file: "b")
        let instance = try ModuleInstance(module: module, check: check, instance: check.instances[0], services: services)

        // Warm up: creates every context once.
        _ = instance.run()
        _ = instance.context.sampler.flush(now: 0, force: true)
        var abiNanos: [Double] = []
        for _ in 0..<rounds {
            let t0 = MonotonicClock.nanoseconds()
            _ = instance.run()
            abiNanos.append(Double(MonotonicClock.nanoseconds() - t0) / Double(metricsPerRun))
            _ = instance.context.sampler.flush(now: 0, force: true)
        }
        instance.destroy()

        // Baseline: the same samples into a sampler from Swift, strings already built.
        let sampler = CheckSampler(hostname: "bench")
        let names = (0..<contexts).map { "bench.metric.\($0)" }
        let tags = ["env:prod", "service:web", "version:1.2.3", "team:a"]
        var swiftNanos: [Double] = []
        for round in 0...rounds {
            let t0 = MonotonicClock.nanoseconds()
            for k in 0..<metricsPerRun {
                sampler.add(name: names[k % contexts], type: .gauge, value: Double(k), tags: tags)
            }
            sampler.commit(time: Double(round))
            if round > 0 { swiftNanos.append(Double(MonotonicClock.nanoseconds() - t0) / Double(metricsPerRun)) }
            _ = sampler.flush(now: 0, force: true)
        }
        let abi = median(abiNanos)
        let swift = median(swiftNanos)
        print("ABI submit → sampler: \(metricsPerRun) gauges/run, \(contexts) contexts, 3+1 tags, batches of 100, \(rounds) runs")
        print(String(format: "  through the C host table : %7.1f ns/metric (median run; includes the run's commit)", abi))
        print(String(format: "  Swift API, same samples  : %7.1f ns/metric (hashes Strings; the sampler alone)", swift))
        print(String(format: "  ratio ABI / Swift        : %7.2f", abi / swift))
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s[s.count / 2]
    }
}
