import Synchronization
import VigilModel

/// `GET /metrics` (`prometheus_scrape: true`): the latest sample of every
/// series, typed, for a Prometheus that scrapes the agent. Nothing is
/// stored: a scrape sees what the last flushes held. Series not updated for
/// `staleAfter` seconds are forgotten, so contexts that went away (a
/// stopped container) do not linger.
final class ScrapeSink: Sink {
    let name = "prometheus_scrape"
    let staleAfter: Int64

    private struct Entry {
        var sample: PrometheusSample
        var seenAt: Int64
    }

    private struct State {
        var mapping = PrometheusMapping()
        var latest: [String: Entry] = [:]
        var lastPrune: Int64 = 0
        var flushes = 0
    }

    private let state = Mutex(State())

    init(staleAfter: Int64 = 600) { self.staleAfter = staleAfter }

    func start(health: HealthRegistry) {}

    func write(_ batch: FlushBatch) {
        let now = WallClock.nowSeconds()
        state.withLock { state in
            for sample in state.mapping.samples(batch, now: now) {
                state.latest[sample.name + PrometheusText.labels(sample.labels)] = Entry(sample: sample, seenAt: now)
            }
            state.flushes += 1
            // Pruning walks every entry: once a minute, not per flush.
            if now - state.lastPrune >= 60 || now < state.lastPrune {
                state.latest = state.latest.filter { now - $0.value.seenAt <= staleAfter }
                state.lastPrune = now
            }
        }
    }

    func stop(deadline: Double, storeDeadline: Double) async {}

    var holdsUnstored: Bool { false }

    /// The exposition, at `now` (unix seconds).
    func render(now: Int64 = WallClock.nowSeconds()) -> String {
        let samples = state.withLock { state in
            state.latest.values.compactMap { now - $0.seenAt <= staleAfter ? $0.sample : nil }
        }
        return PrometheusText.render(samples)
    }

    func statusSnapshot() -> JSONValue {
        let (series, flushes, skipped) = state.withLock { ($0.latest.count, $0.flushes, $0.mapping.skippedPoints) }
        return .object([("series", .int(Int64(series))), ("flushes", .int(Int64(flushes))),
                         ("skipped_non_finite_points", .int(Int64(skipped)))])
    }
}
