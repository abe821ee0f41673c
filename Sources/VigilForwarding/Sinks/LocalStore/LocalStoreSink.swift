import Logging
import Synchronization
import VigilModel

/// The embedded store in `vigil.db` that `vigil query` reads: on by default
/// beside any remote destination (`local_store: false` turns it off).
/// Distributions are kept as their summary series (SketchSummary).
final class LocalStoreSink: Sink {
    let name = "local_store"
    let store: LocalTimeSeriesStore
    private let logger: Logger

    private struct Counters {
        var pointsStored = 0
        var writeFailures = 0
        /// Service checks and events have no home in the local store.
        var unstoredItems = 0
        var lastPurge: Int64 = 0
        var lastError: String?
    }

    private let counters = Mutex(Counters())

    init(store: LocalTimeSeriesStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func start(health: HealthRegistry) {}

    func write(_ batch: FlushBatch) {
        let now = WallClock.nowSeconds()
        do {
            let written = try store.write(batch.series + SketchSummary.series(batch.sketches))
            let purgeDue = counters.withLock { c -> Bool in
                c.pointsStored += written
                c.unstoredItems += batch.serviceChecks.count + batch.events.count
                guard now - c.lastPurge >= 60 else { return false }
                c.lastPurge = now
                return true
            }
            if purgeDue { try store.purge(now: now) }
        } catch {
            counters.withLock { $0.writeFailures += 1; $0.lastError = "\(error)" }
            logger.error("cannot write to the local store", metadata: ["error": "\(error)"])
        }
    }

    func stop(deadline: Double) async {}

    func statusSnapshot() -> JSONValue {
        let c = counters.withLock { $0 }
        var fields: [(String, JSONValue)] = [
            ("points_stored", .int(Int64(c.pointsStored))), ("write_failures", .int(Int64(c.writeFailures))),
            ("retention_seconds", .int(store.retentionSeconds)),
            ("service_checks_and_events_not_stored", .int(Int64(c.unstoredItems))),
        ]
        if let error = c.lastError { fields.append(("last_error", .string(error))) }
        return .object(fields)
    }
}
