import Testing
import VigilConfig
import VigilModel
@testable import VigilDogStatsD

/// Issue 14, item 10: `dogstatsd_tags`, tags the reference adds to every
/// metric, event and service check its DogStatsD server receives.
@Suite struct ExtraTagsConformanceTests {
    @Test func addedToEverything() throws {
        let server = try makeOfflineServer("dogstatsd_tags: [\"dc:eu\", \"team:core\"]\n")
        let batch = Conformance.flush(server, "m:1|c|#a\n_e{1,1}:t|x|#b\n_sc|chk|0|#c")
        #expect(batch.series(named: "m").first?.tags == ["a", "dc:eu", "team:core"])
        #expect(batch.events.first?.tags == ["b", "dc:eu", "team:core"])
        #expect(batch.serviceChecks.first?.tags == ["c", "dc:eu", "team:core"])
    }

    @Test func aClientTagEqualToAnExtraOneIsOneTag() throws {
        let server = try makeOfflineServer("dogstatsd_tags: [\"dc:eu\"]\n")
        let batch = Conformance.flush(server, "m:1|c|#dc:eu\nm:2|c")
        let series = batch.series(named: "m")
        #expect(series.count == 1)
        #expect(series.first?.tags == ["dc:eu"])
        #expect(series.first?.points.first?.value == 0.3)
    }

    @Test func fromTheEnvironmentAsAList() throws {
        let config = try AgentConfigForTests.make("", environment: ["VIGIL_DOGSTATSD_TAGS": "a:1 b:2"])
        let server = try DogStatsDServer(config: config, hostname: "testhost", tagProvider: nil)
        #expect(Conformance.flush(server, "m:1|g").series(named: "m").first?.tags == ["a:1", "b:2"])
    }

    @Test func notAListIsRefused() {
        #expect(throws: DogStatsDError.self) { try makeOfflineServer("dogstatsd_tags: {a: b}\n") }
    }
}

/// A configuration with no sockets, with `environment` overrides.
enum AgentConfigForTests {
    static func make(_ yaml: String, environment: [String: String]) throws -> VigilConfig.AgentConfig {
        try AgentConfig.fromYAML("dogstatsd_socket: \"\"\ndogstatsd_port: 0\n" + yaml, baseDirectory: "/tmp",
                                 environment: environment)
    }
}
