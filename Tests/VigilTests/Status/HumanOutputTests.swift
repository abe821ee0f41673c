import Foundation
import Testing
@testable import VigilAgent
@testable import VigilForwarding
import VigilModel
@testable import VigilModules
import VigilStatus

/// Pins what `status`, `check`, `workload`, `modules` and `query` print for
/// people against golden files in Status/Golden (set VIGIL_UPDATE_GOLDEN=1 to
/// rewrite them after an intended change, and review the diff). Times are
/// rendered in UTC against a fixed "now".
@Suite(.serialized) struct HumanOutputTests {
    static let now = 1_796_186_059.0   // 2026-12-02T04:34:19Z: ages below are measured from here
    static let format: HumanFormat = {
        setenv("TZ", "UTC", 1)
        tzset()
        return HumanFormat(now: now)
    }()

    func expectGolden(_ name: String, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)").path
        if ProcessInfo.processInfo.environment["VIGIL_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == golden, "\(name) differs from its golden file:\n\(text)", sourceLocation: sourceLocation)
    }

    @Test func formatsTimesDurationsSizesAndNumbers() {
        let f = Self.format
        #expect(f.time(Self.now - 12) == "2026-12-02T04:34:07+0000 (12 s ago)")
        #expect(f.time(Self.now - 3700) == "2026-12-02T03:32:39+0000 (1 h 1 min ago)")
        #expect(f.field("started_at", .int(Int64((Self.now - 90) * 1e9))) == "2026-12-02T04:32:49+0000 (1 min 30 s ago)")
        #expect(f.field("started_at", .int(0)) == "-")
        #expect(f.field("last_duration_ms", .double(0.25)) == "250 µs")
        #expect(f.field("last_flush_lock_ms", .double(12.345)) == "12.3 ms")
        #expect(f.field("uptime_seconds", .double(93_784)) == "1 d 2 h")
        #expect(f.field("outbox_bytes", .int(5_347_737)) == "5.1 MiB")
        #expect(f.field("bytes", .int(512)) == "512 B")
        #expect(f.number(98_771_800) == "98771800")
        #expect(f.number(0.000123) == "0.000123")
        #expect(f.number(1234.5678) == "1234.57")
        #expect(f.number(-2.5) == "-2.5")
    }

    @Test func statusReadsAsTimesDurationsAndSizes() throws {
        let status: JSONValue = .object([
            ("version", "0.1.0"), ("hostname", "web-1"), ("uptime_seconds", .double(4_000)),
            ("checks", .array([.object([
                ("instance", "cgroup:3f2a"), ("runs", 40), ("last_run", .double(Self.now - 3.2)),
                ("last_duration_ms", .double(4.25)), ("average_duration_ms", .double(3.9)), ("last_error", .null),
            ])])),
            ("dogstatsd", .object([
                ("listeners", .object([("uds_datagram", .object([
                    ("address", "/var/run/vigil/dsd.socket"), ("socket_queue_length", 1024), ("packets", 120_000),
                    ("bytes", .int(5_000_000)),
                ]))])),
                ("last_flush_lock_ms", .double(0.8)),
            ])),
            ("forwarder", .object([("outbox_bytes", .int(2048)), ("last_write_ms", .double(1.5))])),
        ])
        try expectGolden("status.txt", StatusText.render(status, format: Self.format))
    }

    @Test func checkSortsSeriesAndSeparatesRuns() throws {
        var report = CheckReport()
        let t0 = Int64(Self.now) - 20, t1 = Int64(Self.now) - 5
        report.batch.series = [
            Series(name: "container.memory.usage", type: .gauge, points: [Point(timestamp: t0, value: 52_428_800),
                                                                           Point(timestamp: t1, value: 53_000_000)],
                   tags: ["container_id:web"], host: "h"),
            Series(name: "container.cpu.usage", type: .gauge, points: [Point(timestamp: t1, value: 98_771_800.5)],
                   tags: ["container_id:web"], host: "h"),
            Series(name: "container.cpu.usage", type: .gauge, points: [Point(timestamp: t1, value: 1_000)],
                   tags: ["container_id:api"], host: "h"),
        ]
        report.batch.serviceChecks = [ServiceCheck(name: "cgroup.can_read", status: .ok, tags: [], host: "h", timestamp: t1)]
        try expectGolden("check.txt", report.text(format: Self.format))
    }

    @Test func workloadSortsEntitiesAndShowsTimes() throws {
        let listing: JSONValue = .array([
            .object([("kind", "image"), ("id", "sha256:bb"), ("name", "docker.io/library/redis"),
                     ("size_bytes", .int(41_000_000)), ("created_at", .int(Int64((Self.now - 86_400 * 3) * 1e9)))]),
            .object([("kind", "container"), ("id", "web"), ("state", "running"), ("labels", .object([("team", "core")])),
                     ("started_at", .int(Int64((Self.now - 125) * 1e9))), ("finished_at", 0), ("ports", .array([80, 443]))]),
        ])
        try expectGolden("workload.txt", WorkloadText.render(listing, format: Self.format))
    }

    @Test func modulesHaveAHeaderAndDescriptions() throws {
        let records = [
            ModuleRecord(path: "/usr/lib/vigil/libvigil-network.so", name: "network", version: "1.0.0", abiMajor: 1,
                         abiMinor: 2, kinds: [.check], description: "Container and host network counters", status: .loaded),
            ModuleRecord(path: "/opt/bad.so", name: nil, version: nil, abiMajor: nil, abiMinor: nil, kinds: [],
                         description: nil, status: .refused("file is group- or world-writable (mode 666); run chmod go-w")),
            ModuleRecord(path: "/usr/lib/vigil/libvigil-cgroup.so", name: "cgroup", version: "1.0.0", abiMajor: 1,
                         abiMinor: 2, kinds: [.check], description: "Container CPU, memory, I/O and pids", status: .loaded),
        ]
        try expectGolden("modules.txt", ModuleTable.render(records))
    }

    @Test func queryShowsUnitsTimesAndTheList() throws {
        let results = [LocalStoreQuery.Result(metric: "container.cpu.usage", tags: ["container_id:web"], host: "h",
                                              type: "gauge", points: [Point(timestamp: Int64(Self.now) - 30, value: 99_955_424),
                                                                      Point(timestamp: Int64(Self.now) - 15, value: 1.5e8)])]
        try expectGolden("query.txt", QueryText.render(results, format: Self.format))
        let list = [
            LocalStoreQuery.MetricSummary(metric: "app.requests", series: 3, points: 120, tagKeys: ["env", "route"]),
            LocalStoreQuery.MetricSummary(metric: "container.memory.usage", series: 2, points: 80, tagKeys: ["container_id"]),
        ]
        try expectGolden("query-list.txt", QueryText.render(list))
    }
}
