import Foundation
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
        /// Oldest points deleted to keep the store within `local_store_max_size`.
        var pointsDroppedForSize = 0
    }

    private let counters = Mutex(Counters())
    /// Series the store could not take (a full disk), waiting in memory.
    private let unstored: Mutex<UnstoredBuffer<Series>>

    init(store: LocalTimeSeriesStore, unstoredMaxBytes: Int = 32 << 20, logger: Logger) {
        self.store = store
        self.logger = logger
        unstored = Mutex(UnstoredBuffer(maxBytes: unstoredMaxBytes))
    }

    func start(health: HealthRegistry) {}

    func write(_ batch: FlushBatch) {
        counters.withLock { $0.unstoredItems += batch.serviceChecks.count + batch.events.count }
        guard storeOrHold(batch.series + SketchSummary.series(batch.sketches)) else { return }
        let now = WallClock.nowSeconds()
        do {
            let purgeDue = counters.withLock { c -> Bool in
                guard now - c.lastPurge >= 60 else { return false }
                c.lastPurge = now
                return true
            }
            if purgeDue { try store.purge(now: now) }
            let dropped = try store.enforceSizeBound()
            if dropped > 0 {
                counters.withLock { $0.pointsDroppedForSize += dropped }
                logger.warning("local store over local_store_max_size: its \(dropped) oldest points deleted")
            }
        } catch {
            counters.withLock { $0.lastError = "\(error)" }
            logger.error("cannot purge the local store", metadata: ["error": "\(error)"])
        }
    }

    /// Stores what waits in memory, then `series`. What the store cannot
    /// take waits in memory, within its bound, for the next flush or the
    /// stop. True when nothing is left waiting.
    @discardableResult
    private func storeOrHold(_ series: [Series]) -> Bool {
        let retaken = unstored.withLock { $0.take() }
        let pending = retaken + series
        guard !pending.isEmpty else { return true }
        do {
            let written = try store.write(pending)
            counters.withLock { $0.pointsStored += written }
            if !retaken.isEmpty {
                unstored.withLock { $0.noteRecovered(retaken.count) }
                logger.notice("stored \(retaken.count) series kept in memory while the local store could not take them")
            }
            return true
        } catch {
            let partial = error as? LocalTimeSeriesStore.PartialWrite
            let rest = Array(pending[(partial?.storedSeries ?? 0)...])
            let (dropped, held, bytes) = unstored.withLock { buffer in
                (buffer.hold(rest, size: Self.estimatedBytes), buffer.count, buffer.bytes)
            }
            counters.withLock {
                $0.pointsStored += partial?.storedPoints ?? 0
                $0.writeFailures += 1
                $0.lastError = "\(error)"
            }
            logger.error("cannot write to the local store; kept in memory and tried again with the next flush",
                         metadata: ["error": "\(error)", "held_series": "\(held)", "held_bytes": "\(bytes)",
                                    "dropped_oldest": "\(dropped)"])
            return false
        }
    }

    var holdsUnstored: Bool { !unstored.withLock { $0.isEmpty } }

    /// What a waiting series costs in memory, roughly: its strings and points.
    static func estimatedBytes(_ s: Series) -> Int {
        64 + s.name.utf8.count + s.host.utf8.count + s.tags.reduce(0) { $0 + 16 + $1.utf8.count } + 16 * s.points.count
    }

    /// Tries what waits in memory every half second until `deadline`
    /// (systemUptime seconds): the last flush must not be lost to a disk
    /// that is full for a moment.
    func stop(deadline _: Double, storeDeadline deadline: Double) async {
        while !unstored.withLock({ $0.isEmpty }) {
            if storeOrHold([]) { return }
            if deadline - ProcessInfo.processInfo.systemUptime <= 0.5 { break }
            try? await Task.sleep(for: .milliseconds(500))
        }
        let (count, bytes) = unstored.withLock { ($0.count, $0.bytes) }
        if count > 0 {
            logger.error("stop: \(count) series (\(bytes) bytes) could not be stored in the local store before stop_timeout and are lost")
        }
    }

    func statusSnapshot() -> JSONValue {
        let c = counters.withLock { $0 }
        var fields: [(String, JSONValue)] = [
            ("points_stored", .int(Int64(c.pointsStored))), ("write_failures", .int(Int64(c.writeFailures))),
            ("retention_seconds", .int(store.retentionSeconds)),
            ("size_bytes", (try? store.sizeBytes()).map { .int(Int64($0)) } ?? .null),
            ("max_size_bytes", store.maxBytes.map { .int(Int64($0)) } ?? .null),
            ("points_dropped_size", .int(Int64(c.pointsDroppedForSize))),
            ("service_checks_and_events_not_stored", .int(Int64(c.unstoredItems))),
        ]
        let buffer = unstored.withLock { $0.summary }
        fields.append(("unstored", .object([
            ("held_series", .int(Int64(buffer.count))), ("held_bytes", .int(Int64(buffer.bytes))),
            ("max_bytes", .int(Int64(buffer.maxBytes))), ("recovered_series", .int(Int64(buffer.recovered))),
            ("dropped_series", .int(Int64(buffer.dropped))),
        ])))
        if let error = c.lastError { fields.append(("last_error", .string(error))) }
        return .object(fields)
    }
}
