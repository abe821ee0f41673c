import Foundation
import Logging
import Testing
import VigilConfig
import VigilModel
import VigilModules

@Suite struct ModuleLoaderTests {
    static let logger = Logger(label: "test")

    func reason(_ result: ModuleLoader.Result, _ file: String) -> String? {
        guard case let .refused(reason)? = result.records.first(where: { $0.path.hasSuffix("/" + file) })?.status else { return nil }
        return reason
    }

    @Test func refusesBadFilesWithReasonsAndStillLoadsTheGoodOne() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        try b.compile(file: ModuleBuilder.exampleSource, into: "example.so")
        try "not an ELF file".write(toFile: b.path("garbage.so"), atomically: true, encoding: .utf8)
        chmod(b.path("garbage.so"), 0o644)
        try b.compile(source: "int not_a_module(void) { return 1; }\n", into: "nosymbol.so")
        try b.compile(source: """
            #include "vigil_module.h"
            static const vigil_module m = { .struct_size = sizeof(vigil_module), .abi_major = 2, .name = "future" };
            VIGIL_MODULE_ENTRY { return &m; }
            """, into: "abi2.so")
        try b.compile(file: ModuleBuilder.exampleSource, into: "writable.so")
        chmod(b.path("writable.so"), 0o666)
        try b.compile(file: ModuleBuilder.exampleSource, into: "zduplicate.so")
        try b.compile(source: """
            #include "vigil_module.h"
            static const vigil_module m = { .struct_size = 16, .abi_major = 1, .name = "tiny" };
            VIGIL_MODULE_ENTRY { return &m; }
            """, into: "small.so")

        let result = ModuleLoader.load(directories: [b.directory.path], logger: Self.logger)
        #expect(result.records.count == 7)
        #expect(result.modules.keys.sorted() == ["example"])
        #expect(result.modules["example"]?.path == b.path("example.so"))
        #expect(reason(result, "garbage.so")?.contains("not an ELF shared object") == true)
        #expect(reason(result, "nosymbol.so")?.contains("no vigil_module_entry symbol") == true)
        #expect(reason(result, "abi2.so")?.contains("ABI major 2") == true)
        #expect(reason(result, "writable.so")?.contains("world-writable") == true)
        #expect(reason(result, "zduplicate.so")?.contains("duplicate module name example") == true)
        #expect(reason(result, "small.so")?.contains("struct_size 16") == true)
    }

    @Test func runsTheExampleThroughTheHostTable() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        try b.compile(file: ModuleBuilder.exampleSource, into: "example.so")
        let loaded = ModuleLoader.load(directories: [b.directory.path], logger: Self.logger)
        let module = try #require(loaded.modules["example"])
        let config = try AgentConfig.fromYAML("hostname: testhost", baseDirectory: b.directory.path)
        let services = HostServices(config: config, logger: Self.logger, tagProvider: nil)
        let root = try YAMLLoader.load("instances:\n  - value: 42.5\n    tags: [team:infra]\n", file: "t.yaml")
        let check = try CheckConfig.parse(root, checkName: "example", file: "t.yaml")
        let instance = try ModuleInstance(module: module, check: check, instance: check.instances[0], services: services)
        defer { instance.destroy() }

        let first = instance.run()
        #expect(first.error == nil)
        #expect(first.metricSamples == 2)
        #expect(instance.run().error == nil)
        let batch = instance.context.sampler.flush(now: 0, force: true)
        let gauge = try #require(batch.series.first { $0.name == "example.value" })
        #expect(gauge.points.map(\.value) == [42.5, 42.5])
        #expect(gauge.tags == ["source:example", "team:infra"])
        #expect(gauge.host == "testhost")
        #expect(batch.series.contains { $0.name == "example.runs" && $0.points.count == 1 })
        #expect(batch.serviceChecks.map(\.name) == ["example.can_run", "example.can_run"])
        #expect(batch.serviceChecks.allSatisfy { $0.tags == ["team:infra"] && $0.status == .ok })
    }

    @Test func configureErrorsAreReported() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        try b.compile(file: ModuleBuilder.exampleSource, into: "example.so")
        let module = try #require(ModuleLoader.load(directories: [b.directory.path], logger: Self.logger).modules["example"])
        let config = try AgentConfig.fromYAML("{}", baseDirectory: "/")
        let services = HostServices(config: config, logger: Self.logger, tagProvider: nil)
        let check = try CheckConfig.parse(try YAMLLoader.load("instances:\n  - value: lots\n", file: "t.yaml"),
                                          checkName: "example", file: "t.yaml")
        #expect(throws: ModuleError.self) {
            _ = try ModuleInstance(module: module, check: check, instance: check.instances[0], services: services)
        }
        do {
            _ = try ModuleInstance(module: module, check: check, instance: check.instances[0], services: services)
        } catch {
            #expect(error.description.contains("`value` must be a number, got \"lots\""))
        }
    }
}
