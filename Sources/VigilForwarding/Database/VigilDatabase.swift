import Foundation
import GRDB
import Logging

/// `<run_path>/vigil.db`: the outbox and the local time-series store share
/// one SQLite file in WAL mode, so `vigil query` can read while the agent
/// writes.
enum VigilDatabase {
    static func path(runPath: String) -> String { runPath + "/vigil.db" }

    /// Opens (creating if needed) and migrates. A file SQLite cannot use is
    /// moved aside as `vigil.db.corrupt-<unix time>` and a fresh one is
    /// created: losing the backlog beats an agent that cannot start.
    static func open(path: String, logger: Logger) throws -> DatabasePool {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        do {
            return try openAndCheck(path: path)
        } catch {
            let aside = path + ".corrupt-\(Int(Date().timeIntervalSince1970))"
            logger.error("database unusable, moving it aside and starting a fresh one",
                         metadata: ["path": "\(path)", "moved_to": "\(aside)", "error": "\(error)"])
            try? FileManager.default.moveItem(atPath: path, toPath: aside)
            for suffix in ["-wal", "-shm"] {
                try? FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix)
            }
            return try openAndCheck(path: path)
        }
    }

    private static func openAndCheck(path: String) throws -> DatabasePool {
        makePrivate(path: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.read { db in
            let verdict = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "no answer"
            guard verdict == "ok" else { throw DatabaseIntegrityError(description: "quick_check: \(verdict)") }
        }
        try migrator.migrate(pool)
        return pool
    }

    /// Every stored series and the outbox's payloads are readable by the agent's user only.
    /// SQLite gives the `-wal` and `-shm` files it creates the database file's mode, so the
    /// file is made 0600 before SQLite first opens it; files left by an older agent are
    /// tightened too.
    static func makePrivate(path: String) {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd >= 0 {
            fchmod(fd, 0o600)
            close(fd)
        }
        for suffix in ["-wal", "-shm"] { chmod(path + suffix, 0o600) }
    }

    /// Read-only access for other processes (`vigil query`).
    static func openReadOnly(path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        return try DatabasePool(path: path, configuration: configuration)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    endpoint TEXT NOT NULL,
                    encoding TEXT NOT NULL,
                    body BLOB NOT NULL,
                    size INTEGER NOT NULL,
                    items INTEGER NOT NULL,
                    created_at REAL NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX outbox_by_endpoint ON outbox(endpoint, id);
                CREATE TABLE ts_series (
                    id INTEGER PRIMARY KEY,
                    metric TEXT NOT NULL,
                    tags TEXT NOT NULL,
                    host TEXT NOT NULL,
                    type TEXT NOT NULL,
                    UNIQUE(metric, host, tags)
                );
                CREATE TABLE ts_points (
                    series_id INTEGER NOT NULL REFERENCES ts_series(id),
                    ts INTEGER NOT NULL,
                    value REAL NOT NULL
                );
                CREATE INDEX ts_points_by_series ON ts_points(series_id, ts);
                CREATE INDEX ts_points_by_time ON ts_points(ts);
                """)
        }
        return migrator
    }
}

struct DatabaseIntegrityError: Error, CustomStringConvertible {
    let description: String
}
