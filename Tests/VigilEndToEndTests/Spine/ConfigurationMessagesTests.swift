import Foundation
import Testing

/// What an operator reads when something is wrong: configcheck names every
/// problem and fails, and a bad command-line value gets one line saying what
/// was expected rather than the usage text.
@Suite(.serialized) struct ConfigurationMessagesTests {
    @Test func configcheckFlagsChecksWithoutAModuleAndUnknownSettings() throws {
        let f = try AgentFixture(extraConfig: "flush_intervall: 10")
        defer { f.remove() }
        try f.compileModule(file: AgentFixture.repoRoot + "/Plugins/example/example.c", named: "example.so")
        try f.write("instances:\n  - value: 1\n", to: "conf.d/example.d/conf.yaml")
        try f.write("instances:\n  - {password: hunter2, host: db, options: {auth_token: tok-123}}\n", to: "conf.d/redisdb.d/conf.yaml")
        let result = try f.vigil(["configcheck"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("ERROR \(f.confd)/redisdb.d/conf.yaml: no loaded module named redisdb"), "\(result.stdout)")
        #expect(result.stdout.contains("unknown setting `flush_intervall` is ignored; did you mean `flush_interval`?"), "\(result.stdout)")
        #expect(!result.stdout.contains("no loaded module named example"))
        // Instance secrets are shown redacted, as the reference's scrubber shows them.
        #expect(!result.stdout.contains("hunter2") && !result.stdout.contains("tok-123"), "\(result.stdout)")
        #expect(result.stdout.contains("\"password\":\"********\"") && result.stdout.contains("\"host\":\"db\""), "\(result.stdout)")

        // The running agent says the same at start.
        let json = try #require(try f.json(["configcheck", "--json"]) as? [String: Any])
        let errors = json["errors"] as? [String] ?? []
        #expect(errors.count == 2, "\(errors)")
    }

    @Test func aBadValueGetsOneLineNotTheUsage() throws {
        let f = try AgentFixture()
        defer { f.remove() }
        let times = try f.vigil(["check", "example", "--times", "often"])
        #expect(times.status == 64)
        #expect(times.stderr.hasPrefix("vigil: "), "\(times.stderr)")
        #expect(times.stderr.contains("often"))
        #expect(!times.stderr.contains("Usage") && times.stderr.split(separator: "\n").count == 1, "\(times.stderr)")

        let since = try f.vigil(["query", "container.cpu.usage", "--since", "yesterday"])
        #expect(since.status == 64)
        #expect(since.stderr == "vigil: --since: expected a duration such as 30s, 10m, 2h or 1d, not yesterday\n")

        try f.write("flush_interval: soon\n", to: "vigil.yaml")
        let config = try f.vigil(["status"])
        #expect(config.status == 78)
        #expect(config.stderr.contains("\(f.configFile):1:17: invalid value for flush_interval"), "\(config.stderr)")
        #expect(!config.stderr.contains("Usage"))
    }
}
