import Foundation
import GRDB

/// Read-only view of another process's outbox (tests, tooling): what is
/// waiting in `<run_path>/vigil.db`, oldest first.
public enum OutboxInspection {
    public static func pendingPayloads(databasePath: String) throws -> [Payload] {
        guard FileManager.default.fileExists(atPath: databasePath) else { return [] }
        let pool = try VigilDatabase.openReadOnly(path: databasePath)
        return try pool.read { db in
            guard try db.tableExists("outbox") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT endpoint, encoding, body, items FROM outbox ORDER BY id").compactMap { row in
                guard let encoding = ContentEncoding(rawValue: row["encoding"]) else { return nil }
                let body: Data = row["body"]
                return Payload(lane: row["endpoint"], encoding: encoding, body: [UInt8](body), itemCount: row["items"])
            }
        }
    }
}
