import Foundation
import Testing

/// Issue 16 item 4 through the real binary: one local sender that makes up
/// metric names hits its share of the contexts, counted, while another
/// process's metrics still get contexts and reach the local store.
@Suite(.serialized) struct ContextLimitTests {
    /// Sends `count` gauges named `prefix.<i>` from a process of its own.
    func send(prefix: String, count: Int, socket: String) throws {
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            prefix, n = sys.argv[2], int(sys.argv[3])
            for i in range(0, n, 20):
                s.sendto("\\n".join("%s.%d:1|g" % (prefix, j) for j in range(i, min(n, i + 20))).encode(), sys.argv[1])
            """
        let sent = try runProcess("/usr/bin/env", ["python3", "-c", script, socket, prefix, "\(count)"])
        #expect(sent.status == 0, "\(sent.output)")
    }

    @Test func aFloodingSenderTakesOnlyItsShare() throws {
        let f = try AgentFixture(extraConfig: """
            flush_interval: 3600
            dogstatsd_context_limit: 1000
            dogstatsd_context_limit_per_origin: 0.5
            """)
        defer { f.remove() }
        let agent = try RunningVigil(f)
        let socket = agent.socket
        #expect(try Subprocess.poll(timeout: 20) { FileManager.default.fileExists(atPath: socket) })

        try send(prefix: "flood", count: 3000, socket: socket)
        try send(prefix: "calm", count: 100, socket: socket)
        var dsd: [String: Any] = [:]
        #expect(try Subprocess.poll(timeout: 20, interval: 0.3) {
            let status = try f.json(["status", "--json"]) as? [String: Any]
            dsd = status?["dogstatsd"] as? [String: Any] ?? [:]
            let listener = (dsd["listeners"] as? [String: Any])?["uds_datagram"] as? [String: Any]
            return listener?["metrics"] as? Int ?? 0 >= 3100
        }, "\(dsd)")
        let dropped = dsd["dropped_samples"] as? [String: Any] ?? [:]
        #expect(dsd["live_contexts"] as? Int == 600, "\(dsd)")
        #expect(dsd["context_origins"] as? Int == 2)
        #expect(dropped["origin_context_limit"] as? Int == 2500, "\(dropped)")
        #expect(dropped["context_limit"] as? Int == 0)

        #expect(agent.stop(timeout: 30) == 0)
        let names = try f.vigil(["query", "--list", "--json"]).stdout
        #expect(names.contains("\"calm.99\""), "the second sender's metrics were stored")
        #expect(names.contains("\"flood.0\"") && !names.contains("\"flood.2999\""))
    }
}
