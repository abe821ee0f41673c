import Foundation
import GRDB
import VigilModel

/// The local store's tables in vigil.db: series in `ts_series`, their
/// points in `ts_points`, kept for `local_store_retention` seconds and
/// within `local_store_max_size` bytes, whichever is less.
final class LocalTimeSeriesStore: Sendable {
    private let database: DatabasePool
    let retentionSeconds: Int64
    /// nil: bounded by time only.
    let maxBytes: Int?

    init(database: DatabasePool, retentionSeconds: Int64, maxBytes: Int? = nil) {
        self.database = database
        self.retentionSeconds = retentionSeconds
        self.maxBytes = maxBytes
    }

    /// Series per transaction. SQLite has one writer per file: a flush of
    /// 100k series in one transaction would hold it for seconds, and the
    /// other destinations' outbox appends would wait behind it.
    static let seriesPerTransaction = 2000

    /// Returns the number of points written. A failure part-way throws
    /// `PartialWrite`, saying how many series were stored before it (each
    /// transaction is whole or nothing).
    @discardableResult
    func write(_ series: [Series]) throws -> Int {
        var written = 0
        var start = 0
        while start < series.count {
            let end = min(series.count, start + Self.seriesPerTransaction)
            do {
                written += try writeChunk(series[start..<end])
            } catch {
                throw PartialWrite(storedSeries: start, storedPoints: written, underlying: error)
            }
            start = end
        }
        return written
    }

    struct PartialWrite: Error, CustomStringConvertible {
        let storedSeries: Int
        let storedPoints: Int
        let underlying: any Error
        var description: String { "\(underlying)" }
    }

    private func writeChunk(_ series: ArraySlice<Series>) throws -> Int {
        try database.write { db in
            let findSeries = try db.cachedStatement(sql: "SELECT id FROM ts_series WHERE metric = ? AND host = ? AND tags = ?")
            let insertSeries = try db.cachedStatement(sql: "INSERT INTO ts_series (metric, tags, host, type) VALUES (?, ?, ?, ?)")
            let insertPoint = try db.cachedStatement(sql: "INSERT INTO ts_points (series_id, ts, value) VALUES (?, ?, ?)")
            var written = 0
            for s in series {
                let tags = LocalTimeSeriesStore.encodeTags(s.tags)
                var id = try Int64.fetchOne(findSeries, arguments: [s.name, s.host, tags])
                if id == nil {
                    try insertSeries.execute(arguments: [s.name, tags, s.host, s.type.name])
                    id = db.lastInsertedRowID
                }
                for point in s.points where point.value.isFinite {
                    try insertPoint.execute(arguments: [id, point.timestamp, point.value])
                    written += 1
                }
            }
            return written
        }
    }

    /// Deletes points older than the retention, then series left empty.
    func purge(now: Int64) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM ts_points WHERE ts < ?", arguments: [now - retentionSeconds])
            try db.execute(sql: "DELETE FROM ts_series WHERE id NOT IN (SELECT DISTINCT series_id FROM ts_points)")
        }
    }

    /// Bytes the local store takes in vigil.db: the file's pages in use,
    /// less the outbox's payloads (which share the file). Two pragmas and
    /// the outbox's sizes: cheap enough for every write.
    func sizeBytes() throws -> Int { try database.read { try Self.sizeBytes($0) } }

    private static func sizeBytes(_ db: Database) throws -> Int {
        let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        let outbox = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM outbox") ?? 0
        return max(0, (pages - free) * pageSize - outbox)
    }

    /// Over `maxBytes`, deletes the oldest points (and the series left
    /// without any) until the store is back under 90 % of it, so that the
    /// next few flushes fit without another round. Freed pages are reused,
    /// so the file stops growing at about the bound. Returns the points deleted.
    @discardableResult
    func enforceSizeBound() throws -> Int {
        guard let maxBytes else { return 0 }
        return try database.write { db in
            var deleted = 0
            // A few rounds at most: each estimates the points to delete from the average point's share.
            for round in 0..<8 {
                let size = try Self.sizeBytes(db)
                // Only once over the bound; then down to 90 % of it.
                if size <= (round == 0 ? maxBytes : maxBytes * 9 / 10) { break }
                let points = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ts_points") ?? 0
                guard points > 0 else { break }
                let share = Double(size - maxBytes * 9 / 10) / Double(size)
                let n = max(1, Int((Double(points) * share).rounded(.up)))
                try db.execute(sql: "DELETE FROM ts_points WHERE rowid IN (SELECT rowid FROM ts_points ORDER BY ts LIMIT ?)",
                               arguments: [n])
                deleted += db.changesCount
                try db.execute(sql: "DELETE FROM ts_series WHERE id NOT IN (SELECT DISTINCT series_id FROM ts_points)")
            }
            return deleted
        }
    }

    /// Tags are stored as one string, newline-separated, sorted: an exact
    /// key for the series and cheap to split back.
    static func encodeTags(_ tags: [String]) -> String { Tags.normalized(tags).joined(separator: "\n") }
    static func decodeTags(_ text: String) -> [String] { text.isEmpty ? [] : text.components(separatedBy: "\n") }
}
