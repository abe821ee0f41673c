import Foundation
import GRDB
import Synchronization
import VigilConfig
import VigilModel

/// Reads the local time-series store straight from vigil.db. Works while
/// the agent runs: SQLite's WAL lets a reader in another process see every
/// committed flush without blocking the writer.
public struct LocalStoreQuery: Sendable {
    public struct Result: Sendable, Equatable {
        public var metric: String
        public var tags: [String]
        public var host: String
        public var type: String
        public var points: [Point]

        public var json: JSONValue {
            .object([
                ("metric", .string(metric)),
                ("tags", .array(tags.map { .string($0) })),
                ("host", .string(host)),
                ("type", .string(type)),
                ("points", .array(points.map { .array([.int($0.timestamp), .double($0.value)]) })),
            ])
        }
    }

    public let databasePath: String
    private let reader: Reader

    public init(databasePath: String) {
        self.databasePath = databasePath
        reader = Reader(path: databasePath)
    }

    public init(config: AgentConfig) { self.init(databasePath: VigilDatabase.path(runPath: config.runPath)) }

    /// Series named `metric` carrying every one of `tags` (`key:value` or
    /// bare tags; the series' host matches `host:NAME` too), with their points
    /// at or after `since` (unix seconds), oldest first.
    public func run(metric: String, tags: [String] = [], since: Int64 = 0) throws -> [Result] {
        try reader.pool().read { db in
            var results: [Result] = []
            for series in try Self.series(db, metric: metric, tags: tags) {
                let row = series.row
                let seriesTags = series.tags
                let host = series.host
                let points = try Row.fetchAll(db, sql: "SELECT ts, value FROM ts_points WHERE series_id = ? AND ts >= ? ORDER BY ts",
                                              arguments: [row["id"] as Int64, since]).map {
                    Point(timestamp: $0["ts"], value: $0["value"])
                }
                guard !points.isEmpty else { continue }
                results.append(Result(metric: metric, tags: seriesTags, host: host, type: row["type"], points: points))
            }
            return results
        }
    }

    /// One series' points reduced in SQLite to buckets of `step` seconds from `start` (the
    /// grid of a plot): min, max, sum and count of the values below `ceiling` in each. A
    /// 24 h plot of a 15 s series reads ~600 rows instead of 5,760.
    public struct Bucketed: Sendable {
        public struct Bucket: Sendable, Equatable {
            public var index: Int
            public var min: Double
            public var max: Double
            public var sum: Double
            public var count: Int
        }

        public var tags: [String]
        public var host: String
        public var buckets: [Bucket]
    }

    public func buckets(metric: String, tags: [String] = [], start: Int64, step: Int64, count: Int,
                        ceiling: Double = .infinity) throws -> [Bucketed] {
        let end = start + step * Int64(count)
        return try reader.pool().read { db in
            let statement = try db.cachedStatement(sql: """
                SELECT (ts - ?1) / ?2 AS i, MIN(value), MAX(value), SUM(value), COUNT(*) FROM ts_points
                WHERE series_id = ?3 AND ts >= ?1 AND ts < ?4 AND value < ?5 AND value > -9e999
                GROUP BY i ORDER BY i
                """)
            var results: [Bucketed] = []
            for series in try Self.series(db, metric: metric, tags: tags) {
                let rows = try Row.fetchCursor(statement, arguments: [start, step, series.row["id"] as Int64, end, ceiling])
                var buckets: [Bucketed.Bucket] = []
                while let row = try rows.next() {
                    buckets.append(Bucketed.Bucket(index: row[0], min: row[1], max: row[2], sum: row[3], count: row[4]))
                }
                guard !buckets.isEmpty else { continue }
                results.append(Bucketed(tags: series.tags, host: series.host, buckets: buckets))
            }
            return results
        }
    }

    /// The series of `metric` that carry every one of `tags` (the host matches `host:NAME`).
    private static func series(_ db: Database, metric: String, tags: [String]) throws -> [(row: Row, tags: [String], host: String)] {
        let rows = try Row.fetchAll(db, sql: "SELECT id, tags, host, type FROM ts_series WHERE metric = ? ORDER BY tags, host",
                                    arguments: [metric])
        return rows.compactMap { row in
            let seriesTags = LocalTimeSeriesStore.decodeTags(row["tags"])
            let host: String = row["host"]
            let matches = tags.allSatisfy { wanted in
                seriesTags.contains(wanted) || (wanted.hasPrefix("host:") && wanted.dropFirst(5) == host)
            }
            return matches ? (row, seriesTags, host) : nil
        }
    }

    /// One stored metric: how many series and points it has, and the keys of its tags.
    public struct MetricSummary: Sendable, Equatable {
        public var metric: String
        public var series: Int
        public var points: Int
        public var tagKeys: [String]
    }

    /// Every stored metric whose name contains `pattern` (or matches it as a glob when it
    /// holds `*` or `?`), sorted by name.
    public func list(pattern: String? = nil) throws -> [MetricSummary] {
        let rows = try reader.pool().read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.metric AS metric, s.tags AS tags,
                       (SELECT COUNT(*) FROM ts_points p WHERE p.series_id = s.id) AS points
                FROM ts_series s ORDER BY s.metric
                """)
        }
        var byMetric: [String: MetricSummary] = [:]
        var keys: [String: Set<String>] = [:]
        for row in rows {
            let metric: String = row["metric"]
            if let pattern, !Self.matches(metric, pattern) { continue }
            byMetric[metric, default: MetricSummary(metric: metric, series: 0, points: 0, tagKeys: [])].series += 1
            byMetric[metric]!.points += row["points"] as Int
            for tag in LocalTimeSeriesStore.decodeTags(row["tags"]) {
                keys[metric, default: []].insert(String(tag.split(separator: ":", maxSplits: 1).first ?? Substring(tag)))
            }
        }
        return byMetric.values.map { summary in
            var summary = summary
            summary.tagKeys = keys[summary.metric, default: []].sorted()
            return summary
        }.sorted { $0.metric < $1.metric }
    }

    static func matches(_ name: String, _ pattern: String) -> Bool {
        guard pattern.contains("*") || pattern.contains("?") else { return name.contains(pattern) }
        return fnmatch(pattern, name, 0) == 0
    }

    /// Metric names present, for a helpful message when a query finds nothing.
    public func metricNames() throws -> [String] {
        try reader.pool().read { db in try String.fetchAll(db, sql: "SELECT DISTINCT metric FROM ts_series ORDER BY metric") }
    }

    /// One read-only pool per query object, opened on first use and kept: the console asks
    /// for many plots a second, and opening a pool (schema, WAL index) cost more than a read.
    private final class Reader: Sendable {
        let path: String
        private let opened = Mutex<DatabasePool?>(nil)

        init(path: String) { self.path = path }

        func pool() throws -> DatabasePool {
            try opened.withLock { opened in
                if let opened { return opened }
                guard FileManager.default.fileExists(atPath: path) else {
                    throw LocalStoreError(description: "no local store at \(path) (has the agent run with this configuration?)")
                }
                let pool = try VigilDatabase.openReadOnly(path: path)
                opened = pool
                return pool
            }
        }
    }
}

public struct LocalStoreError: Error, CustomStringConvertible {
    public let description: String
}
