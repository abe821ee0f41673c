import Testing
import VigilAutodiscovery
import VigilConfig

@Suite struct TemplateTests {
    let vars: [String: String] = ["host": "10.0.0.7", "port": "6379", "env_PASS": "s3cret"]

    @Test func substitutesVariablesAndKeepsTypes() throws {
        let node = try #require(try YAMLLoader.load("""
            url: "http://%%host%%:%%port%%/x"
            port: "%%port%%"
            auth: [user, "%%env_PASS%%"]
            plain: no variables
            """, file: "t"))
        let out = try TemplateVariables.resolve(node) { vars[$0] }
        #expect(out.json.serialized() == #"{"url":"http://10.0.0.7:6379/x","port":6379,"auth":["user","s3cret"],"plain":"no variables"}"#)
    }

    @Test func unknownVariableIsAnError() throws {
        let node = try #require(try YAMLLoader.load("x: \"%%nope%%\"", file: "t"))
        #expect(throws: TemplateVariables.UnknownVariable(name: "nope")) {
            _ = try TemplateVariables.resolve(node) { vars[$0] }
        }
        #expect(try TemplateVariables.resolve("100%% sure", { _ in nil }) == "100%% sure")
    }

    @Test func containerLabelsDeclareChecks() throws {
        let configs = try ContainerCheckLabels.templates(labels: [
            "com.datadoghq.ad.check_names": #"["redisdb", "example"]"#,
            "com.datadoghq.ad.init_configs": #"[{}, {"a": 1}]"#,
            "com.datadoghq.ad.instances": #"[{"host": "%%host%%"}, {"value": 3, "tags": ["t:1"]}]"#,
        ], containerID: "abcdef0123456789")
        #expect(configs.map(\.checkName) == ["redisdb", "example"])
        #expect(configs[1].instances.first?.tags == ["t:1"])
        #expect(configs[1].initConfig.lookup(path: "a")?.int == 1)
        // vigil.ad.* takes precedence when both are present.
        let vigil = try ContainerCheckLabels.templates(labels: [
            "vigil.ad.check_names": #"["mine"]"#, "vigil.ad.instances": "[{}]",
            "com.datadoghq.ad.check_names": #"["theirs"]"#, "com.datadoghq.ad.instances": "[{}]",
        ], containerID: "c")
        #expect(vigil.map(\.checkName) == ["mine"])
    }

    @Test func mismatchedLabelListsAreAnError() {
        #expect(throws: ConfigError.self) {
            _ = try ContainerCheckLabels.templates(labels: [
                "vigil.ad.check_names": #"["a", "b"]"#, "vigil.ad.instances": "[{}]",
            ], containerID: "c")
        }
    }
}
