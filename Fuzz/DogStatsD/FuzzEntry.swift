import Foundation
import Synchronization
import VigilAggregation
import VigilDogStatsDProtocol
import VigilModel

// libFuzzer entry for the DogStatsD intake: every input is one packet run
// through the same processor a worker uses (parse, origin, aggregate), with
// a forced flush now and then so that emission runs on fuzzed contexts too.
// Built outside SwiftPM by Fuzz/run.sh, with the intake's sources compiled
// in, because -sanitize=fuzzer must instrument them and own `main`.

private final class Harness: @unchecked Sendable {
    let counters = DogStatsDCounters()
    let shared = SharedAggregator(sampler: TimeSampler(interval: 10, counterExpirySeconds: 60))
    lazy var processor = MessageProcessor(
        hostname: "fuzz", counters: counters, listeners: [ListenerCounters(name: "fuzz")],
        origins: OriginResolver(tagProvider: nil, cardinality: .low, counters: counters),
        originDetection: true, shared: shared, extraTags: ["fuzz:1"], nameRules: Harness.rules,
        mapper: MetricMapper(profiles: Harness.profiles, cacheSize: 64))
    /// Mapper profiles with a wildcard, a regex and templates, and a small cache so eviction runs.
    static let profiles = [
        MapperProfile(name: "w", prefix: "m.", mappings: [
            try! MapperProfile.mapping(match: "m.*.*", matchType: nil, name: "m.$1", tags: [("k", "${2}"), ("z", "$9")],
                                       where: "fuzz"),
        ]),
        MapperProfile(name: "r", prefix: "r.", mappings: [
            try! MapperProfile.mapping(match: #"(\w+)\.(?P<rest>.*)"#, matchType: "regex", name: "r.${rest}",
                                       tags: [("first", "$1")], where: "fuzz"),
        ]),
    ]
    /// Every naming rule on, so their paths are fuzzed too.
    static var rules: MetricNameRules {
        var rules = MetricNameRules()
        rules.namespace = "ns."
        rules.namespaceExempt = ["a", "datadog."]
        rules.filter = MetricNameMatcher(["ns.b", "ns.c*", "x"], matchPrefix: false)
        rules.distributionCopyPrefix = "dist."
        return rules
    }
    var calls = 0
}

private let harness = Harness()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let packet = UnsafeRawBufferPointer(start: data, count: size)
    harness.calls += 1
    // The time moves with the input count so buckets close and counters expire.
    let now = 1_700_000_000.0 + Double(harness.calls / 50)
    harness.processor.process(packet, listener: 0, pid: -1, now: now)
    if harness.calls % 200 == 0 {
        // The server's two-step flush: collect under the lock, build outside, recycle.
        var closed = harness.shared.state.withLock { $0.sampler.collect(now: now + 15, force: harness.calls % 1000 == 0) }
        let batch = closed.build()
        harness.shared.state.withLock { $0.sampler.recycle(&closed) }
        for sketch in batch.sketches {
            for point in sketch.points {
                let q = point.quantile(0.5)
                precondition(q.isNaN || (q >= point.min && q <= point.max), "quantile outside [min, max]")
            }
        }
    }
    return 0
}
