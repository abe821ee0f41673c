import Testing
import VigilModel
@testable import VigilDogStatsD

/// Issue 14, item 10: `dogstatsd_mapper_profiles`, tested with the examples
/// of the reference's documentation (docs.datadoghq.com, "DogStatsD
/// Mapper"): wildcard and regex matches, `$n` and `${n}` expansion in
/// names and tags, the `match_type`/`name`/`tags` keys. The reference's
/// mapper (comp/dogstatsd/mapper) is applied before the namespace, and only
/// the first profile whose prefix fits is tried.
@Suite struct MapperProfilesConformanceTests {
    static let docsExample = """
        dogstatsd_mapper_profiles:
          - name: my_custom_metric_profile
            prefix: custom_metric.
            mappings:
              - match: 'custom_metric.process.*.*'
                match_type: wildcard
                name: 'custom_metric.process'
                tags:
                  tag_key_1: '$1'
                  tag_key_2: '$2'
          - name: regex_profile
            prefix: regex_metric.
            mappings:
              - match: 'regex_metric\\.process\\.([\\w_]+)\\.(.+)'
                match_type: regex
                name: 'regex_metric.process'
                tags:
                  tag_key_1: '$1'
                  tag_key_2: '$2'
          - name: expand_profile
            prefix: expand_metric.
            mappings:
              - match: 'expand_metric.process.*.*'
                name: 'expand_metric.process.prod.$1.live'
                tags:
                  tag_key_2: '${2}'
          - name: airflow
            prefix: airflow.
            mappings:
              - match: 'airflow.job.duration.*.*'
                name: 'airflow.job.duration'
                tags:
                  job_type: '$1'
                  job_name: '$2'

        """

    @Test func wildcard() throws {
        let batch = Conformance.flush(try makeOfflineServer(Self.docsExample), "custom_metric.process.value_1.value_2:1|c|#a")
        let s = try #require(batch.series(named: "custom_metric.process").first)
        #expect(s.tags == ["a", "tag_key_1:value_1", "tag_key_2:value_2"])
        #expect(s.points.first?.value == 0.1)
    }

    @Test func wildcardStarIsOneDottedPart() throws {
        let batch = Conformance.flush(try makeOfflineServer(Self.docsExample), "custom_metric.process.a.b.c:1|g")
        #expect(batch.value("custom_metric.process.a.b.c") == 1)
        #expect(batch.series(named: "custom_metric.process").isEmpty)
    }

    @Test func regex() throws {
        let batch = Conformance.flush(try makeOfflineServer(Self.docsExample),
                                      "regex_metric.process.value_1.value.with.dots._2:1|g")
        let s = try #require(batch.series(named: "regex_metric.process").first)
        #expect(s.tags == ["tag_key_1:value_1", "tag_key_2:value.with.dots._2"])
    }

    @Test func expansionInTheName() throws {
        let batch = Conformance.flush(try makeOfflineServer(Self.docsExample), "expand_metric.process.value_1.value_2:1|g")
        let s = try #require(batch.series(named: "expand_metric.process.prod.value_1.live").first)
        #expect(s.tags == ["tag_key_2:value_2"])
    }

    @Test func airflowJobDuration() throws {
        let batch = Conformance.flush(try makeOfflineServer(Self.docsExample),
                                      "airflow.job.duration.scheduler.nightly:3|h\nairflow.job.duration.worker.hourly:5|h")
        let max = batch.series(named: "airflow.job.duration.max")
        #expect(Set(max.map(\.tags)) == [["job_name:nightly", "job_type:scheduler"], ["job_name:hourly", "job_type:worker"]])
    }

    @Test func unmatchedNamesPassThroughAndRepeatsUseTheCache() throws {
        let server = try makeOfflineServer(Self.docsExample)
        server.ingest("custom_metric.other:1|g\nplain:2|g", now: Conformance.t0 + 1)
        let batch = Conformance.flush(server, "custom_metric.process.x.y:1|c\ncustom_metric.process.x.y:2|c")
        #expect(batch.value("custom_metric.other") == 1)
        #expect(batch.value("plain") == 2)
        #expect(batch.series(named: "custom_metric.process").first?.points.first?.value == 0.3)
    }

    @Test func mapperComesBeforeTheNamespace() throws {
        let server = try makeOfflineServer(Self.docsExample + "statsd_metric_namespace: ns\n")
        let batch = Conformance.flush(server, "custom_metric.process.a.b:1|g")
        #expect(batch.series(named: "ns.custom_metric.process").first?.tags == ["tag_key_1:a", "tag_key_2:b"])
    }

    @Test func firstFittingProfileDecides() throws {
        let server = try makeOfflineServer("""
            dogstatsd_mapper_profiles:
              - {name: first, prefix: "app.", mappings: [{match: "app.x.*", name: "first.$1"}]}
              - {name: all, prefix: "*", mappings: [{match: "app.y.*", name: "second.$1"}, {match: "*.*", name: "any"}]}

            """)
        let batch = Conformance.flush(server, "app.x.1:1|g\napp.y.2:1|g\nother.z:1|g")
        #expect(batch.value("first.1") == 1)
        #expect(batch.value("app.y.2") == 1)  // "app." fits the first profile, which has no mapping for it
        #expect(batch.value("any") == 1)
    }

    @Test(arguments: [
        "dogstatsd_mapper_profiles: [{prefix: a., mappings: []}]",
        "dogstatsd_mapper_profiles: [{name: p, mappings: []}]",
        "dogstatsd_mapper_profiles: [{name: p, prefix: a., mappings: [{match: 'a.**', name: n}]}]",
        "dogstatsd_mapper_profiles: [{name: p, prefix: a., mappings: [{match: 'a.b$', name: n}]}]",
        "dogstatsd_mapper_profiles: [{name: p, prefix: a., mappings: [{match: 'a.(', match_type: regex, name: n}]}]",
        "dogstatsd_mapper_profiles: [{name: p, prefix: a., mappings: [{match: a.b, match_type: glob, name: n}]}]",
        "dogstatsd_mapper_profiles: [{name: p, prefix: a., mappings: [{match: a.b}]}]",
        "dogstatsd_mapper_profiles: {name: p}",
    ])
    func invalidProfilesAreRefused(yaml: String) {
        #expect(throws: DogStatsDError.self) { try makeOfflineServer(yaml + "\n") }
    }

    @Test func fromTheEnvironmentAsJSON() throws {
        let json = #"[{"name":"p","prefix":"a.","mappings":[{"match":"a.*","name":"b","tags":{"k":"$1"}}]}]"#
        let config = try AgentConfigForTests.make("", environment: ["VIGIL_DOGSTATSD_MAPPER_PROFILES": json])
        let server = try DogStatsDServer(config: config, hostname: "testhost", tagProvider: nil)
        #expect(Conformance.flush(server, "a.v:1|g").series(named: "b").first?.tags == ["k:v"])
    }
}

/// Go's template expansion, which mapping names and tags follow.
@Suite struct RegexTemplateTests {
    func expand(_ template: String, _ pattern: String, _ input: String) throws -> String {
        let regex = try Regex<AnyRegexOutput>(pattern)
        let match = try #require(try regex.wholeMatch(in: input))
        return RegexTemplate(template).expand(match)
    }

    @Test func forms() throws {
        #expect(try expand("$1-${2}", "(a)(b)", "ab") == "a-b")
        #expect(try expand("${1}_x", "(a)", "a") == "a_x")
        #expect(try expand("$1_x", "(a)", "a") == "")  // a group named "1_x"
        #expect(try expand("$$1", "(a)", "a") == "$1")
        #expect(try expand("$9", "(a)", "a") == "")
        #expect(try expand("cost $", "(a)", "a") == "cost $")
        #expect(try expand("${name}!", "(?<name>a)", "a") == "a!")
        #expect(try expand("$0", "(a)b", "ab") == "ab")
    }
}
