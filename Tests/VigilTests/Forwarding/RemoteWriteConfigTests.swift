import Testing
import VigilConfig
@testable import VigilForwarding

@Suite struct RemoteWriteConfigTests {
    func settings(_ yaml: String, environment: [String: String] = [:]) throws -> ForwarderSettings {
        try ForwarderSettings(config: AgentConfig.fromYAML("run_path: /tmp/x\n" + yaml, baseDirectory: "/etc/vigil", environment: environment))
    }

    @Test func readsEveryKey() throws {
        let s = try settings("""
            forwarder_storage_max_size: 10MB
            prometheus_remote_write:
              url: https://mimir.example:9009/api/v1/push
              bearer_token_file: token
              headers: { X-Scope-OrgID: team-a }
              series_per_request: 500
            """)
        let rw = try #require(s.remoteWrite)
        #expect(rw.url == "https://mimir.example:9009/api/v1/push")
        #expect(rw.bearerTokenFile == "/etc/vigil/token", "relative to the configuration file")
        #expect(rw.headers.map { "\($0.name)=\($0.value)" } == ["X-Scope-OrgID=team-a"])
        #expect(rw.seriesPerRequest == 500)
        #expect(rw.storageMaxBytes == 10 << 20, "defaults to forwarder_storage_max_size")
        #expect(s.localStore)
        #expect(!s.usesIntake)
    }

    @Test func theURLComesFromTheEnvironmentToo() throws {
        let s = try settings("", environment: ["VIGIL_PROMETHEUS_REMOTE_WRITE_URL": "http://127.0.0.1:9090/api/v1/write"])
        #expect(s.remoteWrite?.url == "http://127.0.0.1:9090/api/v1/write")
        #expect(try settings("").remoteWrite == nil)
    }

    @Test(arguments: [
        ("prometheus_remote_write:\n  headers: { A: b }", "url is required"),
        ("prometheus_remote_write:\n  url: ftp://x/y", "expected an http(s) URL"),
        ("prometheus_remote_write:\n  url: http://x/w\n  headers: { Content-Encoding: gzip }", "set by the protocol"),
        ("prometheus_remote_write:\n  url: http://x/w\n  basic_auth: { username: u }", "password is missing"),
        ("prometheus_remote_write:\n  url: http://x/w\n  basic_auth: { username: u, password: p }\n  bearer_token_file: t", "not both"),
        ("prometheus_remote_write:\n  url: http://x/w\n  series_per_request: 0", "at least 1"),
        ("local_store: maybe", "expected true or false"),
    ])
    func mistakesAreNamed(_ yaml: String, _ reason: String) {
        do {
            _ = try settings(yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect("\(error)".contains(reason), "\(error)")
        }
    }

    @Test func thePasswordIsNeverPrinted() throws {
        let s = try settings("prometheus_remote_write:\n  url: http://x/w\n  basic_auth: { username: u, password: hunter2-secret }")
        var dumped = ""
        dump(s, to: &dumped)
        #expect(!dumped.contains("hunter2") && !"\(s)".contains("hunter2"))
        #expect(s.remoteWrite?.basicAuth?.password.value == "hunter2-secret")
    }
}

@Suite struct URLTextTests {
    @Test func credentialsInAURLAreNeverShown() {
        #expect(URLText.redactingCredentials("https://bob:hunter2@mimir.example/api/v1/push") == "https://redacted@mimir.example/api/v1/push")
        #expect(URLText.redactingCredentials("http://127.0.0.1:9090/api/v1/write") == "http://127.0.0.1:9090/api/v1/write")
    }
}
