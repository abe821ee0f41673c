import Foundation
import Synchronization
import Testing
import VigilConfig
import VigilModules

/// The gate's states and transitions, with real timers.
@Suite struct GateRegistryTests {
    @Test func undeclaredGatesReadOpenAndCannotBeSet() {
        let gates = GateRegistry()
        #expect(gates.state(of: "autoscaling") == .open)
        #expect(gates.set("autoscaling", open: false, reason: "x", by: "i") == .undeclared)
        #expect(gates.state(of: "autoscaling") == .open)
    }

    @Test func configurationDeclaresTheAutoscalingGate() throws {
        let off = GateRegistry(config: try AgentConfig.fromYAML("hostname: h", baseDirectory: "/"))
        #expect(!off.isDeclared("autoscaling"))
        let on = GateRegistry(config: try AgentConfig.fromYAML("autoscaling_enabled: true\nautoscaling_close_after: 30", baseDirectory: "/"))
        #expect(on.gate("autoscaling")?.state == .dormant)
        #expect(on.gate("autoscaling")?.closeAfter == 30)
        let never = GateRegistry(config: try AgentConfig.fromYAML("autoscaling_enabled: true", baseDirectory: "/"))
        #expect(never.gate("autoscaling")?.closeAfter == nil)
    }

    @Test func withoutCloseAfterAnOpenGateStaysOpen() {
        let gates = GateRegistry()
        gates.declare("g")
        #expect(gates.state(of: "g") == .dormant)
        #expect(gates.set("g", open: true, reason: "DatadogPodAutoscaler default/web", by: "autoscaling:1") == .changed)
        #expect(gates.state(of: "g") == .open)
        #expect(gates.set("g", open: true, reason: "again", by: "autoscaling:1") == .unchanged)
        #expect(gates.set("g", open: false, reason: "no DatadogPodAutoscaler", by: "autoscaling:1") == .unchanged)
        #expect(gates.state(of: "g") == .open)
        #expect(gates.gate("g")?.reason == "no DatadogPodAutoscaler")
        #expect(gates.gate("g")?.setBy == "autoscaling:1")
    }

    @Test func closingBecomesDormantAfterCloseAfterUnlessReopened() throws {
        let gates = GateRegistry()
        gates.declare("g", closeAfter: 0.3)
        let seen = Mutex<[GateState]>([])
        gates.observe("g") { state in seen.withLock { $0.append(state) } }
        gates.set("g", open: true, reason: "first", by: "a")
        gates.set("g", open: false, reason: "gone", by: "a")
        #expect(gates.state(of: "g") == .closing)
        // Reopened within close_after: the pending close is cancelled.
        gates.set("g", open: true, reason: "back", by: "a")
        Thread.sleep(forTimeInterval: 0.5)
        gates.drain()
        #expect(gates.state(of: "g") == .open)
        gates.set("g", open: false, reason: "gone again", by: "a")
        let closesAt = try #require(gates.gate("g")?.closesAt)
        #expect(closesAt > Date().timeIntervalSince1970)
        // The timer fires close_after later (a loaded machine may run it late).
        let deadline = Date(timeIntervalSinceNow: 5)
        while gates.state(of: "g") != .dormant && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        gates.drain()
        #expect(gates.state(of: "g") == .dormant)
        #expect(Date().timeIntervalSince1970 >= closesAt)
        #expect(gates.gate("g")?.closeCount == 1)
        #expect(gates.gate("g")?.openCount == 2)
        // The initial state, then every change in order.
        #expect(seen.withLock { $0 } == [.dormant, .open, .closing, .open, .closing, .dormant])
    }

    @Test func statusNamesStateReasonAndCollectors() {
        let gates = GateRegistry()
        gates.declare("autoscaling", closeAfter: 60)
        gates.set("autoscaling", open: true, reason: "DatadogPodAutoscaler default/web", by: "autoscaling:abc")
        let json = gates.statusJSON { _ in [.string("kubernetes:1")] }.serialized()
        #expect(json.contains(#""state":"open""#), "\(json)")
        #expect(json.contains(#""reason":"DatadogPodAutoscaler default/web""#))
        #expect(json.contains(#""set_by":"autoscaling:abc""#))
        #expect(json.contains(#""collectors":["kubernetes:1"]"#))
    }
}
