import Foundation
import GRDB

/// Payloads waiting for an acknowledgement. A payload is written here
/// before its first send and deleted only once the intake accepted it (or
/// refused it for good), so a crash or an outage loses nothing. The total
/// size is bounded: beyond it the oldest payloads go first, and are counted.
final class Outbox: Sendable {
    struct Record: Sendable {
        let id: Int64
        var payload: Payload
        let attempts: Int
    }

    private let database: DatabasePool
    let maxBytes: Int

    init(database: DatabasePool, maxBytes: Int) {
        self.database = database
        self.maxBytes = maxBytes
    }

    /// Stores the payloads, evicting the oldest ones when over the bound.
    /// Returns, per endpoint, how many stored payloads were evicted; a
    /// payload larger than the whole bound is itself counted as evicted.
    func append(_ payloads: [Payload]) throws -> [IntakeEndpoint: Int] {
        guard !payloads.isEmpty else { return [:] }
        return try database.write { db in
            var evicted: [IntakeEndpoint: Int] = [:]
            var total = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM outbox") ?? 0
            let now = Date().timeIntervalSince1970
            for payload in payloads {
                guard payload.body.count <= maxBytes else {
                    evicted[payload.endpoint, default: 0] += 1
                    continue
                }
                while total + payload.body.count > maxBytes,
                      let oldest = try Row.fetchOne(db, sql: "SELECT id, endpoint, size FROM outbox ORDER BY id LIMIT 1") {
                    try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [oldest["id"] as Int64])
                    total -= oldest["size"] as Int
                    if let endpoint = IntakeEndpoint(rawValue: oldest["endpoint"]) { evicted[endpoint, default: 0] += 1 }
                }
                try db.execute(sql: """
                    INSERT INTO outbox (endpoint, encoding, body, size, items, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [payload.endpoint.rawValue, payload.encoding.rawValue, Data(payload.body),
                                     payload.body.count, payload.itemCount, now])
                total += payload.body.count
            }
            return evicted
        }
    }

    /// The oldest payloads waiting for `endpoint`.
    func oldest(_ endpoint: IntakeEndpoint, limit: Int) throws -> [Record] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, encoding, body, items, attempts FROM outbox WHERE endpoint = ? ORDER BY id LIMIT ?
                """, arguments: [endpoint.rawValue, limit]).compactMap { row in
                guard let encoding = ContentEncoding(rawValue: row["encoding"]) else { return nil }
                let body: Data = row["body"]
                return Record(id: row["id"], payload: Payload(endpoint: endpoint, encoding: encoding,
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
            // others queue behind newer payloads. The intake orders points
            // by timestamp, so delivery order is not a guarantee we owe.
            for (index, part) in parts.enumerated() {
                try db.execute(sql: """
                    INSERT INTO outbox (id, endpoint, encoding, body, size, items, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [index == 0 ? id : nil, part.endpoint.rawValue, part.encoding.rawValue,
                                     Data(part.body), part.body.count, part.itemCount, created])
            }
        }
    }

    struct Size: Sendable { var payloads: Int; var bytes: Int }

    func size() -> [IntakeEndpoint: Size] {
        let rows = (try? database.read { db in
            try Row.fetchAll(db, sql: "SELECT endpoint, COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM outbox GROUP BY endpoint")
        }) ?? []
        var sizes: [IntakeEndpoint: Size] = [:]
        for row in rows {
            if let endpoint = IntakeEndpoint(rawValue: row["endpoint"]) {
                sizes[endpoint] = Size(payloads: row["n"], bytes: row["bytes"])
            }
        }
        return sizes
    }
}
