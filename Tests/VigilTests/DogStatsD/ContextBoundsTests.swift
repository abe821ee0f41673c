import CVigilSystem
import Foundation
import Testing
import VigilModel
@testable import VigilDogStatsD

/// Issue 16 item 4: live contexts are bounded in all and per origin (the
/// sender's container, else its process), and so are a message's tags;
/// what goes beyond is dropped and counted by reason.
@Suite struct ContextBoundsTests {
    let now = 1_700_000_005.0

    func unique(_ prefix: String, _ n: Int) -> String {
        (0..<n).map { "\(prefix).\($0):1|g" }.joined(separator: "\n")
    }

    @Test func oneSenderCannotTakeEveryContext() throws {
        // Without origin detection a sender is its process (the test may itself run in a container).
        let server = try makeOfflineServer("""
            dogstatsd_context_limit: 10
            dogstatsd_context_limit_per_origin: 0.5
            dogstatsd_origin_detection: false

            """)
        // Two senders told apart by their processes.
        let a: Int32 = 1, b = getpid()
        server.ingest(unique("a", 8), pid: a, now: now)
        server.ingest(unique("b", 8), pid: b, now: now)
        // A third sender finds every context taken.
        server.ingest(unique("c", 2), pid: -1, now: now)
        // Contexts already live keep taking samples.
        server.ingest("a.0:5|g", pid: a, now: now)
        let status = server.statusSnapshot()
        #expect(status["live_contexts"] == .int(10))
        #expect(status["context_limit_per_origin"] == .int(5))
        #expect(status["context_origins"] == .int(2))
        // a: 5 taken, 3 past its share; b: 5 taken, then every context is taken (3); c: 2.
        #expect(status["dropped_samples"]?["origin_context_limit"] == .int(3))
        #expect(status["dropped_samples"]?["context_limit"] == .int(5))
        let batch = server.flush(now: now + 20, force: true)
        #expect(batch.series(named: "a.0").first?.points.first?.value == 5)
        #expect(Set(batch.series.map(\.name)).count == 10)
        #expect(batch.series(named: "c.0").isEmpty)
    }

    @Test func contextsFreedByExpiryAreGivenOutAgain() throws {
        let server = try makeOfflineServer("dogstatsd_context_limit: 3\ndogstatsd_context_limit_per_origin: 1\ndogstatsd_expiry_seconds: 10\ndogstatsd_origin_detection: false\n")
        server.ingest(unique("old", 3), pid: 1, now: now)
        server.ingest("new.0:1|g", pid: 1, now: now)
        #expect(server.statusSnapshot()["dropped_samples"]?["context_limit"] == .int(1))
        _ = server.flush(now: now + 20, force: false)
        _ = server.flush(now: now + 40, force: false)
        #expect(server.statusSnapshot()["live_contexts"] == .int(0))
        #expect(server.statusSnapshot()["context_origins"] == .int(0))
        server.ingest("new.0:1|g", pid: 1, now: now + 41)
        #expect(server.statusSnapshot()["live_contexts"] == .int(1))
        #expect(server.statusSnapshot()["dropped_samples"]?["context_limit"] == .int(1))
    }

    @Test func aMessageWithTooManyOrTooLongTagsIsDropped() throws {
        let server = try makeOfflineServer("dogstatsd_tags_per_sample_limit: 3\ndogstatsd_tag_length_limit: 8\n")
        server.ingest("""
            many:1|g|#t1,t2,t3,t4
            long:1|g|#t1,toolong:123
            fine:1|g|#t1,t2,host:not-counted-as-a-tag-at-all,tag:8byt
            """, now: now)
        let status = server.statusSnapshot()
        #expect(status["dropped_samples"]?["too_many_tags"] == .int(1))
        #expect(status["dropped_samples"]?["tag_too_long"] == .int(1))
        let names = Set(server.flush(now: now + 20, force: true).series.map(\.name))
        #expect(names == ["fine"])
    }

    @Test func timestampedSamplesWaitingForAFlushAreBounded() throws {
        let server = try makeOfflineServer("dogstatsd_context_limit: 4\n")
        server.ingest((0..<6).map { "ts.\($0):1|g|T1700000000" }.joined(separator: "\n"), now: now)
        #expect(server.statusSnapshot()["dropped_samples"]?["timestamped_limit"] == .int(2))
        #expect(server.flush(now: now + 20, force: true).series.count == 4)
    }

    @Test func thePerOriginShareIsAFractionOrACount() throws {
        let counted = try makeOfflineServer("dogstatsd_context_limit: 1000\ndogstatsd_context_limit_per_origin: 30\n")
        #expect(counted.statusSnapshot()["context_limit_per_origin"] == .int(30))
        let byDefault = try makeOfflineServer()
        #expect(byDefault.statusSnapshot()["context_limit"] == .int(100_000))
        #expect(byDefault.statusSnapshot()["context_limit_per_origin"] == .int(50_000))
        #expect(throws: DogStatsDError.self) { try makeOfflineServer("dogstatsd_context_limit_per_origin: 1.5\n") }
        #expect(throws: DogStatsDError.self) { try makeOfflineServer("dogstatsd_context_limit_per_origin: 0\n") }
    }
}

/// What one live context costs: the figure `dogstatsd_context_limit`'s
/// default rests on (docs/dogstatsd.md#bounds). 100,000 contexts of a
/// 30-byte name and five 20-byte tags through the real intake path; the heap
/// in use grows by the strings, the sampler's slots and the table. Counted as
/// heap in use, not resident set: with every thread in one arena (vigil_system.h),
/// the suites running beside this one free memory this one reuses, and the
/// resident set then hardly moves.
@Suite(.serialized) struct ContextMemoryTests {
    static func heapBytes() -> Int { Int(vigil_heap_in_use()) }

    @Test func aContextCostsLessThanAKilobyte() throws {
        let n = 100_000
        let server = try makeOfflineServer("dogstatsd_context_limit: \(n)\ndogstatsd_context_limit_per_origin: 1\ndogstatsd_origin_detection: false\n")
        let tags = "#service:checkout-api,env:production,version:2024.11.3,region:eu-west-1a,team:payments-core"
        let now = 1_700_000_005.0
        // Warm-up: the first packets grow the parser's and sampler's buffers once.
        server.ingest("warm.up:1|g|" + tags, now: now)
        let before = Self.heapBytes()
        var i = 0
        while i < n - 1 {
            let lines = (i..<min(n - 1, i + 50)).map { "app.http.request.latency.\(String(format: "%06d", $0)):1|g|" + tags }
            server.ingest(lines.joined(separator: "\n"), now: now)
            i += 50
        }
        let after = Self.heapBytes()
        #expect(server.statusSnapshot()["live_contexts"] == .int(Int64(n)))
        let perContext = Double(after - before) / Double(n)
        print("dogstatsd context memory: \(Int(perContext)) bytes per context (\(n) contexts, heap +\((after - before) >> 20) MiB)")
        #expect(perContext < 1024, "\(perContext) bytes per context")
        #expect(perContext > 100, "the measure saw nothing: \(perContext)")
    }
}
