import Foundation
import Testing
import VigilConfig

@Suite struct ConfigTests {
    func tempDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-conf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func brokenYAMLNamesFileLineAndColumnAndSkipsOnlyThatFile() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("instances:\n  - value: 1\n", dir + "/good.d/conf.yaml")
        try write("instances:\n  - value: [1, 2\n  - other: 3\n", dir + "/bad.d/conf.yaml")
        let result = ConfDirectory.load(paths: [dir])
        #expect(result.configs.map(\.checkName) == ["good"])
        #expect(result.errors.count == 1)
        let error = try #require(result.errors.first)
        #expect(error.file == dir + "/bad.d/conf.yaml")
        #expect(error.line == 3)
        #expect(error.column == 10)
        #expect(error.description.hasPrefix("\(dir)/bad.d/conf.yaml:3:10: did not find expected "))
    }

    @Test func schemaErrorsPointAtTheOffendingNode() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("init_config:\ninstances:\n  - min_collection_interval: soon\n", dir + "/a.yaml")
        try write("instances: {x: 1}\n", dir + "/b.yaml")
        try write("init_config: {}\n", dir + "/c.yaml")
        let errors = ConfDirectory.load(paths: [dir]).errors.map(\.description)
        #expect(errors == [
            "\(dir)/a.yaml:3:30: min_collection_interval must be a positive number of seconds, found \"soon\"",
            "\(dir)/b.yaml:1:12: instances must be a list, found a mapping",
            "\(dir)/c.yaml:1:1: missing instances (a list of mappings)",
        ])
    }

    /// Every problem of a file at once, each with its position, what was found and what was
    /// expected; a bad instance is left out and the good ones of the same file still run.
    @Test func everyErrorOfAFileAtOnceAndBadInstancesSkipOnlyThemselves() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("""
            init_config:
            instances:
              - value: 1
              - min_collection_interval: -5
                tags: oops
              - value: 2
                service: [a]
              - just text
            """, dir + "/mixed.yaml")
        let result = ConfDirectory.load(paths: [dir])
        #expect(result.errors.map(\.description) == [
            "\(dir)/mixed.yaml:4:30: min_collection_interval must be a positive number of seconds, found \"-5\"",
            "\(dir)/mixed.yaml:5:11: tags must be a list of strings, found \"oops\"",
            "\(dir)/mixed.yaml:7:14: service must be a string, found a list",
            "\(dir)/mixed.yaml:8:5: each instance must be a mapping, found \"just text\"",
        ])
        let config = try #require(result.configs.first)
        #expect(config.instances.map { $0.node["value"]?.int } == [1])
    }

    /// Unknown settings and values are warned with the nearest known spelling.
    @Test func unknownKeysAndValuesAreWarnedWithTheNearestKnownOne() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("flush_intervall: 10\nlog_level: warnig\nhostname: h\nmy_own_thing: 1\n", dir + "/vigil.yaml")
        let config = try AgentConfig.load(path: dir + "/vigil.yaml")
        #expect(config.lintWarnings.map(\.description) == [
            "\(dir)/vigil.yaml:1:18: unknown setting `flush_intervall` is ignored; did you mean `flush_interval`?",
            "\(dir)/vigil.yaml:2:12: `log_level: warnig` is not a known value; did you mean `warning`? expected one of trace, debug, info, notice, warning, warn, error, critical",
            "\(dir)/vigil.yaml:4:15: unknown setting `my_own_thing` is ignored",
        ])
        #expect(ConfigLint.nearest("dogstatsd_prot", in: ConfigLint.knownKeys) == "dogstatsd_port")
    }

    @Test func checkLayoutDefaultsAndInstanceFields() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("""
            init_config:
              shared: yes
            instances:
              - value: 42
                tags: [team:infra]
                service: web
              - min_collection_interval: 2.5
            """, dir + "/example.d/conf.yaml")
        try write("instances: [{}]\n", dir + "/example.d/extra.yml")
        try write("instances: [{}]\n", dir + "/example.d/conf.yaml.example")
        try write("instances: [{}]\n", dir + "/flat.yaml")
        let result = ConfDirectory.load(paths: [dir])
        #expect(result.errors.isEmpty)
        #expect(result.configs.map(\.checkName) == ["example", "example", "flat"])
        let first = result.configs[0]
        #expect(first.instances.count == 2)
        #expect(first.instances[0].minCollectionInterval == 15)
        #expect(first.instances[0].tags == ["team:infra", "service:web"])
        #expect(first.instances[1].minCollectionInterval == 2.5)
        #expect(first.instances[0].id != first.instances[1].id)
        #expect(first.instances[0].id.hasPrefix("example:"))
        #expect(first.initConfig.lookup(path: "shared")?.bool == true)
    }

    @Test func agentConfigDefaultsAndEnvironmentOverrides() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("""
            hostname: box
            tags: [env:prod]
            flush_interval: 20
            confd_path: mine.d
            dd_url: https://example.invalid
            """, dir + "/vigil.yaml")
        let plain = try AgentConfig.load(path: dir + "/vigil.yaml", environment: [:])
        #expect(plain.hostname == "box")
        #expect(plain.tags == ["env:prod"])
        #expect(plain.flushInterval == 20)
        #expect(plain.checkRunners == 4)
        #expect(plain.confdPath == [dir + "/mine.d"])
        #expect(plain.runPath == dir + "/run")
        #expect(plain.string("dd_url") == "https://example.invalid")
        let env = try AgentConfig.load(path: dir + "/vigil.yaml", environment: [
            "VIGIL_HOSTNAME": "other", "VIGIL_FLUSH_INTERVAL": "5", "VIGIL_TAGS": "a:1 b:2",
            "VIGIL_CHECK_RUNNERS": "2", "VIGIL_LOG_LEVEL": "debug", "VIGIL_RUN_PATH": "/tmp/x",
        ])
        #expect(env.hostname == "other")
        #expect(env.flushInterval == 5)
        #expect(env.tags == ["a:1", "b:2"])
        #expect(env.checkRunners == 2)
        #expect(env.logLevel == "debug")
        #expect(env.runPath == "/tmp/x")
    }

    @Test func invalidAgentSettingIsAnErrorWithPosition() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("hostname: h\nflush_interval: often\n", dir + "/vigil.yaml")
        #expect(throws: ConfigError(file: dir + "/vigil.yaml", line: 2, column: 17, reason: "invalid value for flush_interval")) {
            _ = try AgentConfig.load(path: dir + "/vigil.yaml", environment: [:])
        }
    }

    @Test func missingDefaultFileMeansEmbeddedDefaults() throws {
        let config = try AgentConfig.load(path: "/nonexistent/vigil.yaml", allowMissing: true, environment: [:])
        #expect(config.file == nil)
        #expect(config.flushInterval == 15)
        #expect(!config.hostname.isEmpty)
    }
}

@Suite struct SecretKeysTests {
    @Test func recognisesCredentialsByName() {
        for key in ["api_key", "dd.api_key", "APP_KEY", "password", "db_password", "passwd", "pass", "pwd", "auth_token",
                    "bearer_token_file", "client_secret", "private_key_path", "aws_credentials"] {
            #expect(SecretKeys.isSecret(key), "\(key)")
        }
        for key in ["host", "port", "username", "tags", "passive", "url", "dogstatsd_tags"] {
            #expect(!SecretKeys.isSecret(key), "\(key)")
        }
    }

    @Test func redactsAtAnyDepthAndKeepsTheRest() throws {
        let node = try #require(try YAMLLoader.load("a: 1\nlist:\n  - {password: x, user: u}\nnested: {deep: {token: t}}\n", file: "s.yaml"))
        let text = SecretKeys.redacted(node).json.serialized()
        #expect(text == #"{"a":1,"list":[{"password":"********","user":"u"}],"nested":{"deep":{"token":"********"}}}"#)
    }
}

@Suite struct ExposureWarningTests {
    @Test func clearTextCredentialsBeyondThisHostAreWarned() throws {
        let remote = try AgentConfig.fromYAML("dd_url: http://intake.example:8080\napi_key: k\ncmd_address: 0.0.0.0:5001\n", baseDirectory: "/")
        let messages = remote.lintWarnings.map(\.message)
        #expect(messages.count == 2)
        #expect(messages.contains { $0.contains("dd_url http://intake.example:8080 is plain http") })
        #expect(messages.contains { $0.contains("cmd_address 0.0.0.0:5001 is reachable from other hosts") })
        let local = try AgentConfig.fromYAML("dd_url: http://127.0.0.1:9999\napi_key: k\ncmd_address: 127.0.0.1:0\n", baseDirectory: "/")
        #expect(local.lintWarnings.isEmpty)
        #expect(try AgentConfig.fromYAML("dd_url: https://api.datadoghq.com\napi_key: k\n", baseDirectory: "/").lintWarnings.isEmpty)
        #expect(ConfigLint.isLoopback(hostOf: "[::1]:5001") && ConfigLint.isLoopback(hostOf: "http://localhost/x"))
        #expect(!ConfigLint.isLoopback(hostOf: "http://user@10.0.0.1:80"))
    }

    @Test func aLastSendLongerThanTheWholeStopIsWarned() throws {
        let long = try AgentConfig.fromYAML("forwarder_stop_timeout: 30\n", baseDirectory: "/")
        #expect(long.stopTimeout == 20)
        #expect(long.lintWarnings.map(\.message).contains { $0.contains("forwarder_stop_timeout (30.0 s) is not shorter than stop_timeout (20.0 s)") })
        #expect(try AgentConfig.fromYAML("forwarder_stop_timeout: 30\nstop_timeout: 40\n", baseDirectory: "/").lintWarnings.isEmpty)
        #expect(try AgentConfig.fromYAML("", baseDirectory: "/").moduleRunTimeout == 120)
        #expect(throws: ConfigError.self) { try AgentConfig.fromYAML("stop_timeout: 0\n", baseDirectory: "/") }
        #expect(throws: ConfigError.self) { try AgentConfig.fromYAML("module_run_timeout: -1\n", baseDirectory: "/") }
        #expect(try AgentConfig.fromYAML("module_run_timeout: 0\n", baseDirectory: "/").moduleRunTimeout == 0)
    }
}
