import Synchronization
import VigilModel

/// The last value seen for every series, for `GET /metrics`. Series not
/// updated for `staleAfter` seconds are forgotten, so contexts that went
/// away (a stopped container) do not linger forever.
final class LatestValues: Sendable {
    struct Key: Hashable, Sendable {
        var name: String
        var host: String
        var tags: [String]
    }

    struct Entry: Sendable {
        var type: SeriesType
        var value: Double
        var timestamp: Int64
        var seenAt: Int64
    }

    private let entries = Mutex<(values: [Key: Entry], lastPrune: Int64)>(([:], 0))
    let staleAfter: Int64

    init(staleAfter: Int64 = 600) { self.staleAfter = staleAfter }

    func record(_ series: [Series], now: Int64) {
        entries.withLock { entries in
            for s in series {
                guard let last = s.points.last(where: { $0.value.isFinite }) else { continue }
                entries.values[Key(name: s.name, host: s.host, tags: s.tags)] =
                    Entry(type: s.type, value: last.value, timestamp: last.timestamp, seenAt: now)
            }
            // Pruning walks every entry: do it once a minute, not per flush.
            if now - entries.lastPrune >= 60 || now < entries.lastPrune {
                entries.values = entries.values.filter { now - $0.value.seenAt <= staleAfter }
                entries.lastPrune = now
            }
        }
    }

    /// Entries seen within `staleAfter` of `now`.
    func snapshot(now: Int64) -> [Key: Entry] {
        entries.withLock { $0.values.filter { now - $0.value.seenAt <= staleAfter } }
    }
}
