import Foundation
import Testing
import VigilConfig
import VigilForwarding
import VigilModel
@testable import VigilStatus

/// Remote write and `/metrics` against a real Prometheus: what arrives,
/// under which names, labels and values; an outage of the receiver; three
/// destinations at once while one of them fails.
@Suite(.serialized) struct RemoteWriteTests {
    static let apiKey = "test-api-key-0123456789abcdef"

    /// A new private folder; the caller removes it.
    static func runFolder(_ prefix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func forwarder(runPath: String, _ yaml: String) throws -> Forwarder {
        let config = try AgentConfig.fromYAML("""
            run_path: \(runPath)
            forwarder_backoff_base: 0.2
            forwarder_backoff_max: 2
            forwarder_timeout: 2
            forwarder_stop_timeout: 2
            \(yaml)
            """, baseDirectory: runPath, environment: ["VIGIL_API_KEY": apiKey])
        return try Forwarder(config: config, hostname: "e2e-host")
    }

    static func gauge(_ name: String, _ value: Double, at timestamp: Int64, tags: [String] = []) -> FlushBatch {
        FlushBatch(series: [Series(name: name, type: .gauge, points: [Point(timestamp: timestamp, value: value)],
                                   tags: tags, host: "e2e-host", interval: 0)])
    }

    static func lane(_ forwarder: Forwarder, _ destination: String, _ lane: String, _ key: String) -> Int64? {
        guard case let .int(v)? = forwarder.statusSnapshot()["destinations"]?[destination]?["lanes"]?[lane]?[key] else { return nil }
        return v
    }

    /// A Python DogStatsD client → `vigil run` → remote write and a scrape of
    /// `/metrics`, read back through Prometheus' query API.
    @Test(.enabled(if: PrometheusServer.isInstalled), .timeLimit(.minutes(3)))
    func dogstatsdFromARealClientReachesPrometheusBothWays() async throws {
        let seen = try await onOwnThread { () -> [String: Double?] in
            let prometheus = try PrometheusServer()
            defer { prometheus.remove() }
            let f = try AgentFixture(extraConfig: """
                flush_interval: 1
                prometheus_scrape: true
                forwarder_backoff_base: 0.2
                forwarder_backoff_max: 1
                prometheus_remote_write:
                  url: \(prometheus.remoteWriteURL)
                """)
            defer { f.remove() }
            let pid = try Subprocess.spawn(AgentFixture.vigil, ["run", "-c", f.configFile],
                                           stdoutPath: f.root + "/out.log", stderrPath: f.root + "/err.log")
            defer { Subprocess.terminate(pid: pid) }
            let socket = f.root + "/dogstatsd/dsd.socket"
            let addressFile = f.root + "/run/cmd_address"
            _ = Subprocess.poll(timeout: 20) { FileManager.default.fileExists(atPath: socket) && FileManager.default.fileExists(atPath: addressFile) }
            let address = try String(contentsOfFile: addressFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            try prometheus.scrape([address])
            try prometheus.start()

            let sender = """
                import sys
                from datadog.dogstatsd import DogStatsd
                c = DogStatsd(socket_path=sys.argv[1], socket_timeout=None, disable_telemetry=True)
                c.gauge("e2e.prom.temp", 21.5, tags=["via:dsd"])
                c.increment("e2e.prom.hits", 30, tags=["via:dsd"])
                for v in range(1, 11):
                    c.histogram("e2e.prom.latency", float(v), tags=["via:dsd"])
                for v in range(1, 101):
                    c.distribution("e2e.prom.size", float(v), tags=["via:dsd"])
                c.flush()
                """
            let sent = try runProcess("/usr/bin/env", ["python3", "-c", sender, socket])
            guard sent.status == 0 else { throw PrometheusServer.Failure(description: "client: \(sent.output)") }

            // The 10 s DogStatsD window closes, a flush goes to both destinations.
            var exposition = ""
            _ = Subprocess.poll(timeout: 25, interval: 0.2) {
                exposition = (try? HTTPGet.fetch(address: StatusAddress(parsing: address)!, target: "/metrics", headers: [:],
                                                 timeoutSeconds: 5).body) ?? ""
                return exposition.contains("e2e_prom_size_count")
            }
            try exposition.write(toFile: f.root + "/metrics.txt", atomically: true, encoding: .utf8)
            let promtool = try runProcess("/bin/sh", ["-c", "promtool check metrics < \(f.root)/metrics.txt 2>&1"])
            var seen: [String: Double?] = ["promtool_status": Double(promtool.status)]
            if promtool.status != 0 { print("promtool: \(promtool.output)\n\(exposition)") }
            seen["up"] = prometheus.value("up{job=\"vigil\"}", until: { $0 == 1 })
            // Remote-written series carry no job label; scraped ones do.
            let remote = "job=\"\",via=\"dsd\",host=\"e2e-host\""
            seen["temp"] = prometheus.value("e2e_prom_temp{\(remote)}")
            seen["hits"] = prometheus.value("e2e_prom_hits{\(remote)}")
            seen["latency_max"] = prometheus.value("e2e_prom_latency_max{\(remote)}")
            seen["latency_avg"] = prometheus.value("e2e_prom_latency_avg{\(remote)}")
            seen["latency_count"] = prometheus.value("e2e_prom_latency_count_value{\(remote)}")
            seen["size_p50"] = prometheus.value("e2e_prom_size{\(remote),quantile=\"0.5\"}")
            seen["size_p99"] = prometheus.value("e2e_prom_size{\(remote),quantile=\"0.99\"}")
            seen["size_count"] = prometheus.value("e2e_prom_size_count{\(remote)}")
            seen["size_sum"] = prometheus.value("e2e_prom_size_sum{\(remote)}")
            seen["scraped_temp"] = prometheus.value("e2e_prom_temp{job=\"vigil\",via=\"dsd\"}")
            seen["scraped_size_count"] = prometheus.value("e2e_prom_size_count{job=\"vigil\"}")
            return seen
        }
        #expect(seen["promtool_status"] == 0)
        #expect(seen["up"] == 1)
        #expect(seen["temp"] == 21.5)
        #expect(seen["hits"] == 3, "30 hits in a 10 s window: 3/s")
        #expect(seen["latency_max"] == 10)
        #expect(seen["latency_avg"] == 5.5)
        #expect(seen["latency_count"] == 1, "10 samples in 10 s")
        let p50 = try #require(seen["size_p50"] ?? nil)
        #expect(abs(p50 - 50) / 50 < 0.03, "p50 \(p50)")
        let p99 = try #require(seen["size_p99"] ?? nil)
        #expect(abs(p99 - 99) / 99 < 0.03, "p99 \(p99)")
        #expect(seen["size_count"] == 100)
        #expect(seen["size_sum"] == 5050)
        #expect(seen["scraped_temp"] == 21.5)
        #expect(seen["scraped_size_count"] == 100)
    }

    /// What a receiver sees on the wire (a recording HTTP server): the
    /// protocol headers, configured credentials and headers, a bearer token
    /// re-read after rotation; and the specification's answer rules.
    @Test func headersCredentialsAndAnswersFollowTheSpecification() async throws {
        let run = try Self.runFolder("vigil-rwh")
        defer { try? FileManager.default.removeItem(atPath: run) }
        let receiver = RecordingIntake(apiKey: "unused")
        let port = try receiver.start()
        defer { receiver.stop() }
        let url = "http://127.0.0.1:\(port)\(RecordingIntake.remoteWritePath)"
        let basic = try Self.forwarder(runPath: run + "/basic", """
            local_store: false
            prometheus_remote_write:
              url: \(url)
              basic_auth: { username: vigil, password: s3cret-pass }
              headers: { X-Scope-OrgID: team-a }
            """)
        basic.start()
        basic.consume(Self.gauge("rw.h", 1, at: WallClock.nowSeconds()))
        #expect(await ForwarderIntakeTests.eventually { receiver.recorded.requests.count == 1 })
        let first = try #require(receiver.recorded.requests.first)
        #expect(first.headers["content-encoding"] == "snappy")
        #expect(first.headers["content-type"] == "application/x-protobuf")
        #expect(first.headers["x-prometheus-remote-write-version"] == "0.1.0")
        #expect(first.headers["authorization"] == "Basic " + Data("vigil:s3cret-pass".utf8).base64EncodedString())
        #expect(first.headers["x-scope-orgid"] == "team-a")
        #expect(first.items == 1)
        #expect(!basic.statusSnapshot().serialized().contains("s3cret-pass"))

        // 400: dropped and counted, never retried. 503: kept and retried.
        receiver.respond { _, _, _ in 400 }
        basic.consume(Self.gauge("rw.h", 2, at: WallClock.nowSeconds() + 1))
        #expect(await ForwarderIntakeTests.eventually { Self.lane(basic, "prometheus_remote_write", "prometheus_remote_write", "dropped_rejected") == 1 })
        receiver.respond { _, _, _ in 503 }
        basic.consume(Self.gauge("rw.h", 3, at: WallClock.nowSeconds() + 2))
        #expect(await ForwarderIntakeTests.eventually { (Self.lane(basic, "prometheus_remote_write", "prometheus_remote_write", "retried") ?? 0) >= 2 })
        #expect(Self.lane(basic, "prometheus_remote_write", "prometheus_remote_write", "outbox_payloads") == 1)
        receiver.respond { _, _, _ in 204 }
        #expect(await ForwarderIntakeTests.eventually { Self.lane(basic, "prometheus_remote_write", "prometheus_remote_write", "outbox_payloads") == 0 })
        await basic.stop()

        let tokenFile = run + "/token"
        try "first-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let bearer = try Self.forwarder(runPath: run + "/bearer", """
            local_store: false
            prometheus_remote_write:
              url: \(url)
              bearer_token_file: \(tokenFile)
            """)
        bearer.start()
        let before = receiver.recorded.requests.count
        bearer.consume(Self.gauge("rw.b", 1, at: WallClock.nowSeconds()))
        #expect(await ForwarderIntakeTests.eventually { receiver.recorded.requests.count == before + 1 })
        try "rotated-token".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        bearer.consume(Self.gauge("rw.b", 2, at: WallClock.nowSeconds() + 1))
        #expect(await ForwarderIntakeTests.eventually { receiver.recorded.requests.count == before + 2 })
        await bearer.stop()
        #expect(receiver.recorded.requests.suffix(2).map { $0.headers["authorization"] } == ["Bearer first-token", "Bearer rotated-token"])
    }

    /// The cgroup check on a real container (containerd + runc), its series
    /// sent by remote write and read back by name and container labels.
    @Test(.enabled(if: PrometheusServer.isInstalled && CgroupContainerTests.canRun), .timeLimit(.minutes(3)))
    func cgroupMetricsOfARealContainerReachPrometheus() async throws {
        let run = try Self.runFolder("vigil-rwcg")
        defer { try? FileManager.default.removeItem(atPath: run) }
        let prometheus = try PrometheusServer()
        defer { prometheus.remove() }
        let forwarder = try Self.forwarder(runPath: run, "local_store: false\nprometheus_remote_write:\n  url: \(prometheus.remoteWriteURL)")
        forwarder.start()
        let seen = try await CgroupContainerTests.withAgent { harness, agent -> [String: Double?] in
            try prometheus.start()
            try harness.runContainer(id: "rw", image: CgroupContainerTests.image, extraArgs: ["--memory-limit", "67108864"],
                                     command: ["sh", "-c", "while :; do :; done"])
            guard agent.waitForRunning("rw") else { return [:] }
            forwarder.consume(FlushBatch(series: try agent.run("cgroup")))
            Thread.sleep(forTimeInterval: 2)
            forwarder.consume(FlushBatch(series: try agent.run("cgroup")))
            let labels = "container_id=\"rw\",short_image=\"cgbox\""
            return [
                "limit": prometheus.value("container_memory_limit{\(labels)}"),
                "usage": prometheus.value("container_memory_usage{\(labels)}"),
                "cpu": prometheus.value("container_cpu_usage{\(labels)}"),
            ]
        }
        await forwarder.stop()
        #expect(seen["limit"] == 67_108_864)
        #expect(((seen["usage"] ?? nil) ?? 0) > 0)
        let cpu = try #require(seen["cpu"] ?? nil)
        #expect(cpu > 0.5e9, "a busy loop uses most of a core: \(cpu / 1e9) cores")
    }

    /// The receiver is down for 60 s while flushes go on: afterwards every
    /// sample is in Prometheus, and none twice.
    @Test(.enabled(if: PrometheusServer.isInstalled), .timeLimit(.minutes(4)))
    func aSixtySecondOutageLosesNothing() async throws {
        let run = try Self.runFolder("vigil-rw")
        defer { try? FileManager.default.removeItem(atPath: run) }
        let prometheus = try PrometheusServer()
        defer { prometheus.remove() }
        try await onOwnThread { try prometheus.start() }
        let forwarder = try Self.forwarder(runPath: run, "local_store: false\nprometheus_remote_write:\n  url: \(prometheus.remoteWriteURL)")
        forwarder.start()
        let tag = "run:\(UUID().uuidString.prefix(8))"
        let start = WallClock.nowSeconds()
        var sent = 0
        func flushOne() async throws {
            forwarder.consume(Self.gauge("e2e.gap", Double(sent), at: start + Int64(sent), tags: [tag]))
            sent += 1
            try await Task.sleep(for: .seconds(1))
        }
        for _ in 0..<5 { try await flushOne() }
        let before = try await onOwnThread { prometheus.value("count_over_time(e2e_gap{run=\"\(tag.dropFirst(4))\"}[10m])", until: { $0 == 5 }) }
        #expect(before == 5)

        try await onOwnThread { prometheus.stop() }
        for _ in 0..<60 { try await flushOne() }
        #expect((Self.lane(forwarder, "prometheus_remote_write", "prometheus_remote_write", "retried") ?? 0) > 0)
        #expect((Self.lane(forwarder, "prometheus_remote_write", "prometheus_remote_write", "outbox_payloads") ?? 0) > 0)
        try await onOwnThread { try prometheus.start() }

        let total = sent
        let selector = "e2e_gap{run=\"\(tag.dropFirst(4))\"}[10m]"
        let (count, sum) = try await onOwnThread {
            (prometheus.value("count_over_time(\(selector))", timeout: 60, until: { $0 == Double(total) }),
             prometheus.value("sum_over_time(\(selector))"))
        }
        await forwarder.stop()
        #expect(count == Double(total), "samples in Prometheus after the gap")
        #expect(sum == Double((0..<total).reduce(0, +)), "each value exactly once")
        #expect(Self.lane(forwarder, "prometheus_remote_write", "prometheus_remote_write", "outbox_payloads") == 0)
        #expect(Self.lane(forwarder, "prometheus_remote_write", "prometheus_remote_write", "dropped") == 0)
    }

    /// Datadog's intake (a recording double), Prometheus and the local store
    /// at once; the intake answers 503 for 30 s. The other two keep
    /// receiving on time; the intake gets everything once it recovers.
    @Test(.enabled(if: PrometheusServer.isInstalled), .timeLimit(.minutes(3)))
    func threeDestinationsAndAnIntakeOutage() async throws {
        let run = try Self.runFolder("vigil-3d")
        defer { try? FileManager.default.removeItem(atPath: run) }
        let prometheus = try PrometheusServer()
        defer { prometheus.remove() }
        try await onOwnThread { try prometheus.start() }
        let intake = RecordingIntake(apiKey: Self.apiKey) { _, _, _ in 503 }
        let intakePort = try intake.start()
        defer { intake.stop() }
        let forwarder = try Self.forwarder(runPath: run, """
            dd_url: http://127.0.0.1:\(intakePort)
            prometheus_remote_write:
              url: \(prometheus.remoteWriteURL)
            """)
        forwarder.start()
        let local = LocalStoreQuery(databasePath: forwarder.settings.databasePath)
        let start = WallClock.nowSeconds()
        var late: [String] = []
        let outageFlushes = 30
        for i in 0..<(outageFlushes + 5) {
            if i == outageFlushes { intake.respond { _, _, _ in 202 } }
            forwarder.consume(Self.gauge("e2e.three", Double(i), at: start + Int64(i)))
            if i % 5 == 0 || i == outageFlushes - 1 {
                // On time: within 3 s of its flush, in both healthy destinations.
                let (inPrometheus, inLocal) = try await onOwnThread {
                    (prometheus.value("max_over_time(e2e_three[10m])", timeout: 3, until: { $0 == Double(i) }) == Double(i),
                     Subprocess.poll(timeout: 3, interval: 0.1) {
                         (try? local.run(metric: "e2e.three").first?.points.last?.value) == Double(i)
                     })
                }
                if !inPrometheus { late.append("prometheus:\(i)") }
                if !inLocal { late.append("local:\(i)") }
            } else {
                try await Task.sleep(for: .seconds(1))
            }
        }
        #expect(late.isEmpty, "late: \(late)")
        #expect((Self.lane(forwarder, "datadog", "series", "retried") ?? 0) > 0)
        let expected = Set((0..<(outageFlushes + 5)).map { "\($0)" })
        let delivered = await ForwarderIntakeTests.eventually(30) {
            Set(intake.recorded.series.map { "\(Int($0.value))" }) == expected
        }
        await forwarder.stop()
        #expect(delivered, "intake got \(intake.recorded.series.count) of \(expected.count)")
        #expect(intake.recorded.series.count == expected.count, "none twice")
        #expect(Self.lane(forwarder, "prometheus_remote_write", "prometheus_remote_write", "retried") == 0)
    }
}
