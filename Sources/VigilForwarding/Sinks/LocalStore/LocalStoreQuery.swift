import Foundation
import GRDB
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

    public init(databasePath: String) { self.databasePath = databasePath }

    public init(config: AgentConfig) { self.init(databasePath: VigilDatabase.path(runPath: config.runPath)) }

    /// Series named `metric` carrying every one of `tags` (`key:value` or
    /// bare tags; the series' host matches `host:NAME` too), with their points
    /// at or after `since` (unix seconds), oldest first.
    public func run(metric: String, tags: [String] = [], since: Int64 = 0) throws -> [Result] {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw LocalStoreError(description: "no local store at \(databasePath) (has the agent run with this configuration?)")
        }
        let pool = try VigilDatabase.openReadOnly(path: databasePath)
        return try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, tags, host, type FROM ts_series WHERE metric = ? ORDER BY tags, host",
                                        arguments: [metric])
            var results: [Result] = []
            for row in rows {
                let seriesTags = LocalTimeSeriesStore.decodeTags(row["tags"])
                let host: String = row["host"]
                let matches = tags.allSatisfy { wanted in
                    seriesTags.contains(wanted) || (wanted.hasPrefix("host:") && wanted.dropFirst(5) == host)
                }
                guard matches else { continue }
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

    /// Metric names present, for a helpful message when a query finds nothing.
    public func metricNames() throws -> [String] {
        let pool = try VigilDatabase.openReadOnly(path: databasePath)
        return try pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT metric FROM ts_series ORDER BY metric") }
    }
}

public struct LocalStoreError: Error, CustomStringConvertible {
    public let description: String
}
