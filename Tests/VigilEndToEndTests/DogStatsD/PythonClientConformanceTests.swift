import Foundation
import Testing
import VigilConfig
import VigilDogStatsD
import VigilModel
import VigilWorkload

/// Issue 14's reference behaviours as the PyPI `datadog` client exercises
/// them, over the datagram socket: `DD_ENTITY_ID` (sent as the
/// `dd.internal.entity_id` tag), `host:` tags, `|T` gauges and counts with
/// a sample rate, and a service check whose message the client escapes.
@Suite(.serialized) struct PythonClientConformanceTests {
    static let sender = #"""
        import sys
        import datadog.dogstatsd.base as base
        from datadog.dogstatsd import DogStatsd
        # The client drops a sampled metric at random before sending it;
        # this test needs the one it sends at rate 0.5 to go out.
        base.random = lambda: 0.0
        c = DogStatsd(socket_path=sys.argv[1], socket_timeout=None, disable_telemetry=True, disable_buffering=True)
        c.gauge("conf.entity", 1, tags=["a:1"])
        c.gauge("conf.hosted", 2, tags=["host:elsewhere", "b:2"])
        c.gauge_with_timestamp("conf.past", 3, timestamp=1600000000, tags=["c:3"])
        c.count_with_timestamp("conf.counted", 5, timestamp=1600000000, sample_rate=0.5)
        c.service_check("conf.check", 2, message="disk m: full\nnow", tags=["d:4"])
        c.flush()
        c.close_socket()
        print("sent")
        """#

    func run(entityID: String) throws -> (DogStatsDFixture, FlushBatch) {
        let store = WorkloadStore()
        let tagger = Tagger(store: store, config: try AgentConfig.fromYAML("", baseDirectory: "/"))
        store.publish(.container(Container(id: String(repeating: "e", count: 64), name: "web",
                                           labels: ["io.kubernetes.pod.uid": "pod-uid-e2e",
                                                    "io.kubernetes.pod.name": "web-0",
                                                    "io.kubernetes.pod.namespace": "shop"])),
                      source: "test")
        let fixture = try DogStatsDFixture(tagProvider: tagger)
        let result = try runProcess("/usr/bin/env", ["DD_ENTITY_ID=\(entityID)", "python3", "-c", Self.sender,
                                                     fixture.socketPath])
        #expect(result.status == 0, "sender failed: \(result.output)")
        #expect(fixture.wait { fixture.server.totals().metrics >= 4 && fixture.server.totals().serviceChecks >= 1 })
        return (fixture, fixture.server.flush(now: WallClock.now() + 20, force: true))
    }

    @Test func knownPodAndReservedTags() throws {
        let (fixture, batch) = try run(entityID: "pod-uid-e2e")
        #expect(fixture.server.totals().parseErrors == 0)
        let entity = try #require(batch.series.first { $0.name == "conf.entity" })
        // The pod's tags replace nothing the socket found: this host process has no container.
        #expect(entity.tags == ["a:1", "kube_namespace:shop"])
        #expect(entity.host == "e2ehost")
        let hosted = try #require(batch.series.first { $0.name == "conf.hosted" })
        #expect(hosted.host == "elsewhere")
        #expect(hosted.tags == ["b:2", "kube_namespace:shop"])
        let past = try #require(batch.series.first { $0.name == "conf.past" })
        #expect(past.type == .gauge && past.points == [Point(timestamp: 1_600_000_000, value: 3)])
        let counted = try #require(batch.series.first { $0.name == "conf.counted" })
        #expect(counted.type == .count && counted.points == [Point(timestamp: 1_600_000_000, value: 5)])
        let check = try #require(batch.serviceChecks.first)
        #expect(check.message == "disk m: full\nnow")
        #expect(check.tags == ["d:4", "kube_namespace:shop"])
        #expect(fixture.server.totals().entityIDUnresolved == 0)
    }

    @Test func unknownPodIsCounted() throws {
        let (fixture, batch) = try run(entityID: "nobody")
        let entity = try #require(batch.series.first { $0.name == "conf.entity" })
        #expect(entity.tags == ["a:1"])
        #expect(fixture.server.totals().entityIDUnresolved >= 4)
    }
}
