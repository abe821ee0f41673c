import Foundation
import Testing

/// The spine's promises, exercised through the real `vigil` binary.
@Suite(.serialized) struct SpineCommandTests {
    static let exampleConf = """
        init_config:
        instances:
          - value: 42
            tags: [team:infra, role:db]
            service: billing
        """

    typealias Metric = [String: Any]

    func metrics(_ report: Any) -> [Metric] { ((report as? [String: Any])?["metrics"] as? [Metric]) ?? [] }

    /// Name, type, tags and values — what must match between two builds.
    func signature(_ m: Metric) -> String {
        let points = (m["points"] as? [[Double]] ?? []).map { "\($0.last ?? .nan)" }
        return "\(m["metric"] ?? "") \(m["type"] ?? "") \(m["host"] ?? "") \(m["tags"] ?? []) \(points)"
    }

    @Test func ccBuiltAndSwiftPMBuiltExampleRunIdentically() throws {
        let cc = try AgentFixture()
        let spm = try AgentFixture()
        defer { cc.remove(); spm.remove() }
        try cc.compileModule(file: AgentFixture.repoRoot + "/Plugins/example/example.c", named: "example.so")
        try spm.copyBuiltModule("vigil-example", as: "libvigil-example.so")
        for f in [cc, spm] { try f.write(Self.exampleConf, to: "conf.d/example.d/conf.yaml") }

        let fromCC = try cc.json(["check", "example", "--json", "--times", "2", "--pause", "1100"])
        let fromSPM = try spm.json(["check", "example", "--json", "--times", "2", "--pause", "1100"])
        let ccMetrics = metrics(fromCC)
        #expect(Set(ccMetrics.map { $0["metric"] as? String ?? "" }) == ["example.value", "example.runs"])
        // The rate needs two runs; its value depends on the pause, so compare it by presence.
        #expect(ccMetrics.filter { $0["metric"] as? String == "example.value" }.map(signature)
            == metrics(fromSPM).filter { $0["metric"] as? String == "example.value" }.map(signature))
        #expect(ccMetrics.map { "\($0["metric"]!) \($0["tags"]!)" } == metrics(fromSPM).map { "\($0["metric"]!) \($0["tags"]!)" })
        for m in ccMetrics + metrics(fromSPM) {
            let tags = m["tags"] as? [String] ?? []
            #expect(tags.contains("team:infra") && tags.contains("role:db") && tags.contains("service:billing"))
            #expect(m["host"] as? String == "e2e-host")
        }
        let rate = try #require(ccMetrics.first { $0["metric"] as? String == "example.runs" })
        let rateValue = try #require((rate["points"] as? [[Double]])?.first?.last)
        #expect(rateValue > 0.5 && rateValue < 1.0)
        let checks = (fromCC as? [String: Any])?["service_checks"] as? [[String: Any]] ?? []
        #expect(checks.count == 2)
        #expect(checks.allSatisfy { $0["check"] as? String == "example.can_run" && $0["status"] as? Int == 0 })
        #expect(((fromCC as? [String: Any])?["errors"] as? [Any])?.isEmpty == true)
    }

    @Test func badModulesAreRefusedWithReasonsWhileExampleRuns() throws {
        let f = try AgentFixture()
        defer { f.remove() }
        try f.compileModule(file: AgentFixture.repoRoot + "/Plugins/example/example.c", named: "example.so")
        try "\u{7f}NOPE this is not ELF".write(toFile: f.modules + "/garbage.so", atomically: true, encoding: .utf8)
        chmod(f.modules + "/garbage.so", 0o644)
        try f.compileModule(source: """
            #include "vigil_module.h"
            static const vigil_module m = { .struct_size = sizeof(vigil_module), .abi_major = 2, .abi_minor = 0,
                                            .name = "future", .version = "9" };
            VIGIL_MODULE_ENTRY { return &m; }
            """, named: "abi2.so")
        try f.compileModule(source: "int helper(void) { return 0; }\n", named: "nosymbol.so")
        try f.compileModule(file: AgentFixture.repoRoot + "/Plugins/example/example.c", named: "writable.so")
        chmod(f.modules + "/writable.so", 0o666)
        try f.write(Self.exampleConf, to: "conf.d/example.d/conf.yaml")

        let records = try #require(try f.json(["modules", "--json"]) as? [[String: Any]])
        func reason(_ file: String) -> String {
            records.first { ($0["path"] as? String)?.hasSuffix("/" + file) == true }?["reason"] as? String ?? "(loaded)"
        }
        #expect(records.count == 5)
        #expect(reason("example.so") == "(loaded)")
        #expect(reason("garbage.so").contains("not an ELF shared object"))
        #expect(reason("abi2.so").contains("ABI major 2"))
        #expect(reason("nosymbol.so").contains("no vigil_module_entry symbol"))
        #expect(reason("writable.so").contains("world-writable"))

        let text = try f.vigil(["modules"]).stdout
        #expect(text.contains("REFUSED: built for ABI major 2"))

        let run = try f.vigil(["check", "example", "--json"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("\"example.value\""))
        #expect(run.stderr.contains("abi2.so refused"))
    }

    @Test func brokenYAMLIsReportedWithPositionAndOnlyThatFileIsSkipped() throws {
        let f = try AgentFixture()
        defer { f.remove() }
        try f.compileModule(file: AgentFixture.repoRoot + "/Plugins/example/example.c", named: "example.so")
        try f.write(Self.exampleConf, to: "conf.d/example.d/conf.yaml")
        try f.write("instances:\n  - value: 1\n    tags: [a:b\n", to: "conf.d/example.d/broken.yaml")
        let result = try f.vigil(["configcheck"])
        #expect(result.status == 1)
        #expect(result.stdout.contains(f.confd + "/example.d/broken.yaml:4:1: "))
        #expect(result.stdout.contains("=== example (\(f.confd)/example.d/conf.yaml)"))
        let check = try f.vigil(["check", "example", "--json"])
        #expect(check.stdout.contains("\"example.value\""))
        #expect(check.stdout.contains("broken.yaml:4:1"))
        #expect(check.status == 1)
    }

    @Test func failingInstanceMakesCheckExitNonZero() throws {
        let f = try AgentFixture()
        defer { f.remove() }
        try f.compileModule(file: AgentFixture.repoRoot + "/Plugins/example/example.c", named: "example.so")
        try f.write("instances:\n  - value: not-a-number\n", to: "conf.d/example.d/conf.yaml")
        let result = try f.vigil(["check", "example", "--json"])
        #expect(result.status != 0)
        #expect(result.stdout.contains("`value` must be a number"))
    }

    @Test func versionPrintsTheABI() throws {
        let result = try Subprocess.run(AgentFixture.vigil, ["version"])
        #expect(result.stdout.contains("module ABI 1.5"))
    }
}
