import Foundation
import GRDB
import VigilModel

/// The local store's tables in vigil.db: series in `ts_series`, their
/// points in `ts_points`, kept for `local_store_retention` seconds.
final class LocalTimeSeriesStore: Sendable {
    private let database: DatabasePool
    let retentionSeconds: Int64

    init(database: DatabasePool, retentionSeconds: Int64) {
        self.database = database
        self.retentionSeconds = retentionSeconds
    }

    /// Series per transaction. SQLite has one writer per file: a flush of
    /// 100k series in one transaction would hold it for seconds, and the
    /// other destinations' outbox appends would wait behind it.
    static let seriesPerTransaction = 2000

    /// Returns the number of points written.
    @discardableResult
    func write(_ series: [Series]) throws -> Int {
        var written = 0
        var start = 0
        while start < series.count {
            let end = min(series.count, start + Self.seriesPerTransaction)
            written += try writeChunk(series[start..<end])
            start = end
        }
        return written
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

    /// Tags are stored as one string, newline-separated, sorted: an exact
    /// key for the series and cheap to split back.
    static func encodeTags(_ tags: [String]) -> String { Tags.normalized(tags).joined(separator: "\n") }
    static func decodeTags(_ text: String) -> [String] { text.isEmpty ? [] : text.components(separatedBy: "\n") }
}
