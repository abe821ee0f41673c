import Foundation
import GRDB

/// One destination's payloads waiting for an acknowledgement, in its own
/// lanes of the shared `outbox` table. A payload is written here before its
/// first send and deleted only once the destination accepted it (or refused
/// it for good), so a crash or an outage loses nothing. Each destination
/// has its own bound: beyond it its own oldest payloads go first, and are
/// counted, so a dead destination can never evict another's data.
final class Outbox: Sendable {
    struct Record: Sendable {
        let id: Int64
        var payload: Payload
        let attempts: Int
    }

    private let database: DatabasePool
    /// The lanes this destination owns (the `endpoint` column).
    let lanes: [String]
    let maxBytes: Int
    private let laneList: String

    init(database: DatabasePool, lanes: [String], maxBytes: Int) {
        self.database = database
        self.lanes = lanes
        self.maxBytes = maxBytes
        // Lane names are ours (never user input), so quoting them inline is safe.
        laneList = lanes.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ",")
    }

    /// Stores the payloads, evicting this destination's oldest ones when
    /// over its bound. Returns, per lane, how many stored payloads were
    /// evicted; a payload larger than the whole bound is itself counted.
    func append(_ payloads: [Payload]) throws -> [String: Int] {
        guard !payloads.isEmpty else { return [:] }
        return try database.write { db in
            var evicted: [String: Int] = [:]
            var total = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM outbox WHERE endpoint IN (\(laneList))") ?? 0
            let now = Date().timeIntervalSince1970
            for payload in payloads {
                guard payload.body.count <= maxBytes else {
                    evicted[payload.lane, default: 0] += 1
                    continue
                }
                while total + payload.body.count > maxBytes,
                      let oldest = try Row.fetchOne(db, sql: """
                          SELECT id, endpoint, size FROM outbox WHERE endpoint IN (\(laneList)) ORDER BY id LIMIT 1
                          """) {
                    try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [oldest["id"] as Int64])
                    total -= oldest["size"] as Int
                    evicted[oldest["endpoint"] as String, default: 0] += 1
                }
                try db.execute(sql: """
                    INSERT INTO outbox (endpoint, encoding, body, size, items, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [payload.lane, payload.encoding.rawValue, Data(payload.body),
                                     payload.body.count, payload.itemCount, now])
                total += payload.body.count
            }
            return evicted
        }
    }

    /// The oldest payloads waiting in `lane`.
    func oldest(_ lane: String, limit: Int) throws -> [Record] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, encoding, body, items, attempts FROM outbox WHERE endpoint = ? ORDER BY id LIMIT ?
                """, arguments: [lane, limit]).compactMap { row in
                guard let encoding = ContentEncoding(rawValue: row["encoding"]) else { return nil }
                let body: Data = row["body"]
                return Record(id: row["id"], payload: Payload(lane: lane, encoding: encoding,
                                                              body: [UInt8](body), itemCount: row["items"]),
                              attempts: row["attempts"])
            }
        }
    }

    func remove(_ id: Int64) throws {
        try database.write { db in try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [id]) }
    }

    func recordAttempt(_ id: Int64) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", arguments: [id])
        }
    }

    /// Swaps one payload for others: the parts of a split, or the payload
    /// recompressed.
    func replace(_ id: Int64, with parts: [Payload]) throws {
        try database.write { db in
            let created = try Double.fetchOne(db, sql: "SELECT created_at FROM outbox WHERE id = ?", arguments: [id])
                ?? Date().timeIntervalSince1970
            try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [id])
            // The first part keeps the id, hence the queue position; the
            // others queue behind newer payloads. Destinations order points
            // by timestamp, so delivery order is not a guarantee we owe.
            for (index, part) in parts.enumerated() {
                try db.execute(sql: """
                    INSERT INTO outbox (id, endpoint, encoding, body, size, items, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [index == 0 ? id : nil, part.lane, part.encoding.rawValue,
                                     Data(part.body), part.body.count, part.itemCount, created])
            }
        }
    }

    struct Size: Sendable { var payloads: Int; var bytes: Int }

    func size() -> [String: Size] {
        let rows = (try? database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT endpoint, COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM outbox
                WHERE endpoint IN (\(laneList)) GROUP BY endpoint
                """)
        }) ?? []
        var sizes: [String: Size] = [:]
        for row in rows { sizes[row["endpoint"]] = Size(payloads: row["n"], bytes: row["bytes"]) }
        return sizes
    }
}
