import Foundation
import Testing
import VigilDogStatsD
import VigilModel

/// The PyPI `datadog` client against a real server over every transport,
/// buffered and not.
@Suite(.serialized) struct PythonClientTests {
    static let sender = #"""
        import sys
        from datadog.dogstatsd import DogStatsd
        mode, target, buffered = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
        if mode == "udp":
            kw = dict(host="127.0.0.1", port=int(target))
        elif mode == "stream":
            kw = dict(socket_path="unixstream://" + target, socket_timeout=None)
        else:
            # Blocking: with the kernel's default queue of 10 datagrams a
            # non-blocking sender outruns any reader and drops on its side.
            kw = dict(socket_path=target, socket_timeout=None)
        c = DogStatsd(disable_telemetry=True, disable_buffering=not buffered, **kw)
        tags = ["mode:" + mode, "env:e2e"]
        for i in range(100):
            c.increment("e2e.hits", tags=tags)
        c.increment("e2e.sampled", 1, tags=tags, sample_rate=1.0)
        c.gauge("e2e.temp", 21.5, tags=tags)
        for v in range(1, 11):
            c.histogram("e2e.lat", v, tags=tags)
        c.timing("e2e.time", 7, tags=tags)
        c.distribution("e2e.dist", 3.0, tags=tags)
        c.set("e2e.users", "alice", tags=tags)
        c.set("e2e.users", "bob", tags=tags)
        c.set("e2e.users", "alice", tags=tags)
        c.event("Deploy done", "version 2 is out", alert_type="success", tags=tags)
        c.service_check("e2e.up", 1, tags=tags, message="degraded")
        c.flush()
        c.close_socket()
        print("sent")
        """#

    static let expectedMetrics = 100 + 1 + 1 + 10 + 1 + 1 + 3

    /// Every transport, buffered and not, with packets queued for a worker
    /// (`dogstatsd_pipeline_count: 1`) and parsed on the readers (`0`).
    @Test(arguments: ["uds", "stream", "udp"], [(false, 1), (true, 1), (false, 0), (true, 0)])
    func pythonClient(mode: String, buffering: (buffered: Bool, workers: Int)) throws {
        let buffered = buffering.buffered
        let fixture = try DogStatsDFixture(extraYAML: "dogstatsd_pipeline_count: \(buffering.workers)")
        let target = switch mode {
        case "udp": String(fixture.udpPort)
        case "stream": fixture.streamPath
        default: fixture.socketPath
        }
        let result = try runProcess("/usr/bin/env", ["python3", "-c", Self.sender, mode, target, buffered ? "1" : "0"])
        #expect(result.status == 0, "sender failed: \(result.output)")

        let listener = ["uds": "uds_datagram", "stream": "uds_stream", "udp": "udp"][mode]!
        let arrived = fixture.wait {
            let t = fixture.server.totals(listener: listener)
            return t.metrics >= Self.expectedMetrics && t.events >= 1 && t.serviceChecks >= 1
        }
        let totals = fixture.server.totals(listener: listener)
        #expect(arrived, "got \(totals)")
        #expect(totals.parseErrors == 0)
        #expect(totals.queueDrops == 0)
        if !buffered { #expect(totals.packets >= Self.expectedMetrics + 2) }

        let batch = fixture.server.flush(now: WallClock.now() + 20, force: true)
        let tags = Tags.normalized(["mode:\(mode)", "env:e2e"])
        func value(_ name: String) -> Double? {
            batch.series.first { $0.name == name && $0.tags == tags }?.points.first?.value
        }
        // 100 increments in one or two 10 s windows: the rates add up to 10/s.
        let hits = batch.series.filter { $0.name == "e2e.hits" }.reduce(0) { $0 + $1.points[0].value }
        #expect(abs(hits - 10) < 1e-9)
        #expect(batch.series.first { $0.name == "e2e.hits" }?.type == .rate)
        #expect(value("e2e.temp") == 21.5)
        #expect(value("e2e.lat.max") == 10)
        #expect(value("e2e.lat.median") == 5)
        #expect(value("e2e.time.max") == 7)
        #expect(value("e2e.users") == 2)
        #expect(batch.sketches.first { $0.name == "e2e.dist" }?.points.first?.count == 1)
        #expect(batch.series.allSatisfy { $0.host == "e2ehost" })
        let event = try #require(batch.events.first)
        #expect(event.title == "Deploy done" && event.text == "version 2 is out" && event.alertType == .success)
        #expect(event.tags == tags)
        let check = try #require(batch.serviceChecks.first)
        #expect(check.name == "e2e.up" && check.status == .warning && check.message == "degraded")
    }

    /// The client's default over the datagram socket: unbuffered and non-blocking, so every
    /// datagram the socket's queue cannot take is dropped on the client's side, where no agent
    /// counter sees it. 2,000 metrics/s for 60 s over 10,000 contexts, flushed along the way:
    /// what the client says it sent is exactly what the agent aggregated, and it dropped none.
    /// (With the kernel's queue of 10, `dogstatsd_socket_queue_length: 0`, this client dropped
    /// 34,964 of the 120,000 here.)
    static let steadySender = #"""
        import json, sys, time
        from datadog.dogstatsd import DogStatsd
        # socket_timeout=0 by default: non-blocking. Telemetry stays on (it keeps the sent and dropped
        # counts) but reports, and so resets them, only after the run.
        c = DogStatsd(socket_path=sys.argv[1], disable_buffering=True, telemetry_min_flush_interval=3600)
        rate, seconds, contexts = 2000, float(sys.argv[2]), 10000
        start, n = time.monotonic(), 0
        while n < rate * seconds:
            # Bursts of 20 every 10 ms: the pace of a busy application, not a smooth trickle.
            for _ in range(20):
                c.increment("unbuf.hits", tags=["ctx:%d" % (n % contexts)])
                n += 1
            ahead = start + n / rate - time.monotonic()
            if ahead > 0: time.sleep(ahead)
        print(json.dumps({"sent": c.packets_sent, "dropped": c.packets_dropped_writer, "attempted": n}))
        """#

    @Test func unbufferedClientLosesNothingOverTheDatagramSocket() throws {
        let fixture = try DogStatsDFixture()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.steadySender, fixture.socketPath, "60"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        var received = 0.0
        var flushes = 0
        var contexts = Set<[String]>()
        func drain(force: Bool) {
            let batch = fixture.server.flush(now: WallClock.now() + (force ? 20 : 0), force: force)
            let hits = batch.series.filter { $0.name == "unbuf.hits" }
            contexts.formUnion(hits.map(\.tags))
            // Counts are sent as per-second rates over 10 s windows.
            received += hits.reduce(0) { $0 + $1.points.reduce(0) { $0 + $1.value * 10 } }
            flushes += 1
        }
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 5)
            drain(force: false)
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        #expect(fixture.wait { fixture.server.totals(listener: "uds_datagram").queueDrops == 0 })
        Thread.sleep(forTimeInterval: 0.5)
        drain(force: true)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Int], "\(output)")
        #expect(report["attempted"] == 120_000)
        #expect(report["dropped"] == 0, "the client dropped datagrams the socket's queue could not take: \(report)")
        #expect(report["sent"] == 120_000)
        #expect(Int(received.rounded()) == report["sent"], "agent aggregated \(received), client sent \(report)")
        #expect(flushes >= 10)
        #expect(contexts.count == 10_000)
        let status = fixture.server.statusSnapshot()
        #expect(status["listeners"]?["uds_datagram"]?["socket_queue_length"] == .int(1024), "\(status.serialized())")
    }
}
