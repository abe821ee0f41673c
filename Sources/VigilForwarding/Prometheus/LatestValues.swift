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

    private let entries = Mutex<[Key: Entry]>([:])
    let staleAfter: Int64

    init(staleAfter: Int64 = 600) { self.staleAfter = staleAfter }

    func record(_ series: [Series], now: Int64) {
        entries.withLock { entries in
            for s in series {
                guard let last = s.points.last(where: { $0.value.isFinite }) else { continue }
                entries[Key(name: s.name, host: s.host, tags: s.tags)] =
                    Entry(type: s.type, value: last.value, timestamp: last.timestamp, seenAt: now)
            }
            entries = entries.filter { now - $0.value.seenAt <= staleAfter }
        }
    }

    var snapshot: [Key: Entry] { entries.withLock { $0 } }
}
