import Foundation
import Testing
import VigilModel
@testable import VigilForwarding

@Suite struct HealthRegistryTests {
    @Test func aPeriodicComponentIsLateOnceItMissesItsDeadline() {
        let registry = HealthRegistry()
        let beat = registry.register("flush", deadline: 0.05)
        #expect(registry.liveness().healthy)
        Thread.sleep(forTimeInterval: 0.12)
        let verdict = registry.liveness()
        #expect(!verdict.healthy)
        #expect(verdict.components.first?.detail?.contains("no sign of life for") == true)
        beat.beat()
        #expect(registry.liveness().healthy)
    }

    @Test func aComponentWaitingForWorkIsNeverLate() {
        let registry = HealthRegistry()
        let reader = registry.register("dogstatsd.udp", deadline: 0.05)
        reader.waiting()
        Thread.sleep(forTimeInterval: 0.12)
        #expect(registry.liveness().healthy)
        reader.working()
        Thread.sleep(forTimeInterval: 0.12)
        #expect(!registry.liveness().healthy)
    }

    @Test func readinessComponentsAndConditionsDoNotTouchLiveness() {
        let registry = HealthRegistry()
        let lane = registry.register("forwarder.series", deadline: 60, role: .readiness)
        lane.report(problem: "no delivery for 61 s with payloads waiting; last: timeout")
        #expect(registry.liveness().healthy)
        #expect(registry.liveness().components.isEmpty)
        let ready = registry.readiness(conditions: [(true, "the first flush"), (false, "collector containerd to sync")])
        #expect(!ready.healthy)
        #expect(ready.waitingFor == ["collector containerd to sync"])
        #expect(ready.json["failing"] == .array([.string("forwarder.series")]))
        lane.report(problem: nil)
        #expect(registry.readiness(conditions: [(true, "the first flush")]).healthy)
    }

    @Test func aLaneFailsOnlyAfterPayloadsWaitedPastItsDeadline() {
        let registry = HealthRegistry()
        let lane = LaneHealth(heartbeat: registry.register("forwarder.series", deadline: 0.1, role: .readiness))
        lane.judge(.retry(reason: "timeout"))
        #expect(registry.readiness(conditions: []).healthy)
        Thread.sleep(forTimeInterval: 0.15)
        lane.judge(.retry(reason: "timeout after 1 s"))
        let verdict = registry.readiness(conditions: [])
        #expect(!verdict.healthy)
        #expect(verdict.components.first?.detail?.hasSuffix("last: timeout after 1 s") == true)
        lane.judge(.accepted)
        #expect(registry.readiness(conditions: []).healthy)
        lane.judge(nil)
        #expect(registry.readiness(conditions: []).healthy)
    }
}
