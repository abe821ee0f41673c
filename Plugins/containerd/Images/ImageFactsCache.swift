import VigilModuleSQLite
/// What each image's manifest and config said, kept across restarts in a SQLite file the
/// module owns (`<run_path>/containerd-images.db` by default), so a restarted agent publishes
/// the images it already knew without reading a blob.
///
/// Keyed by the image record's target digest (its manifest, or its index): content is
/// addressed by that digest, so an unchanged digest means unchanged facts and a changed image
/// (same name, new content) has a new digest and is never answered from an old row. Rows are
/// also keyed by the containerd socket, so two instances watching two containerds sharing one
/// run_path never drop each other's rows.
public final class ImageFactsCache {
    private let database: SQLiteDatabase
    private let socket: String
    public var path: String { database.path }

    /// Bumped whenever a column changes meaning: an older file is emptied, not misread.
    static let schemaVersion: Int64 = 1

    public init(path: String, socket: String) throws {
        database = try SQLiteDatabase(path: path)
        self.socket = socket
        // A cache: losing the last commits in a crash only means reading those blobs again.
        try database.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
        // Rows are written in batches and read by key or in one scan: SQLite's default page
        // cache (2 MiB) would only hold pages of a file the kernel caches anyway.
        try database.execute("PRAGMA cache_size=-512")
        if try database.integer("PRAGMA user_version") != Self.schemaVersion {
            try database.execute("""
                DROP TABLE IF EXISTS image_facts;
                CREATE TABLE image_facts (
                    socket TEXT NOT NULL,
                    target_digest TEXT NOT NULL,
                    config_digest TEXT NOT NULL,
                    media_type TEXT NOT NULL,
                    os TEXT NOT NULL,
                    architecture TEXT NOT NULL,
                    variant TEXT NOT NULL,
                    size_bytes INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    layers TEXT NOT NULL,
                    PRIMARY KEY (socket, target_digest)
                ) WITHOUT ROWID;
                DROP TABLE IF EXISTS listing_sizes;
                CREATE TABLE listing_sizes (
                    socket TEXT NOT NULL,
                    namespace TEXT NOT NULL,
                    bytes INTEGER NOT NULL,
                    PRIMARY KEY (socket, namespace)
                ) WITHOUT ROWID;
                PRAGMA user_version = \(Self.schemaVersion);
                """)
        }
    }

    /// Every row of this socket, by target digest (one query: a restart needs them all).
    public func all() throws -> [String: ImageContent] {
        let statement = try database.prepare("""
            SELECT target_digest, config_digest, media_type, os, architecture, variant, size_bytes, created_at, layers
            FROM image_facts WHERE socket = ?
            """)
        try statement.bind([.text(socket)])
        var facts: [String: ImageContent] = [:]
        while try statement.step() { facts[statement.text(0)] = Self.content(statement, from: 1) }
        return facts
    }

    /// The facts for one target digest (an image created while the module runs).
    public func facts(target digest: String) throws -> ImageContent? {
        let statement = try database.prepare("""
            SELECT config_digest, media_type, os, architecture, variant, size_bytes, created_at, layers
            FROM image_facts WHERE socket = ? AND target_digest = ?
            """)
        try statement.bind([.text(socket), .text(digest)])
        return try statement.step() ? Self.content(statement, from: 0) : nil
    }

    /// Adds or replaces rows (target digest, facts), all in one transaction.
    public func store(_ entries: [(String, ImageContent)]) throws {
        try database.transaction {
            let insert = try database.prepare("""
                INSERT OR REPLACE INTO image_facts
                (socket, target_digest, config_digest, media_type, os, architecture, variant, size_bytes, created_at, layers)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (target, content) in entries {
                try insert.run([
                    .text(socket), .text(target), .text(content.configDigest), .text(content.mediaType),
                    .text(content.os), .text(content.architecture), .text(content.variant),
                    .integer(content.sizeBytes), .integer(content.createdAt),
                    // Digests never contain a newline.
                    .text(content.layers.joined(separator: "\n")),
                ])
            }
        }
    }

    /// Deletes the rows whose target digest containerd no longer lists; returns how many.
    @discardableResult
    public func retain(only listed: Set<String>) throws -> Int {
        let keys = try database.prepare("SELECT target_digest FROM image_facts WHERE socket = ?")
        try keys.bind([.text(socket)])
        var gone: [String] = []
        while try keys.step() {
            let digest = keys.text(0)
            if !listed.contains(digest) { gone.append(digest) }
        }
        guard !gone.isEmpty else { return 0 }
        try database.transaction {
            let delete = try database.prepare("DELETE FROM image_facts WHERE socket = ? AND target_digest = ?")
            for digest in gone { try delete.run([.text(socket), .text(digest)]) }
        }
        return gone.count
    }

    /// The size of each namespace's last complete image listing: the next start plans its
    /// pages from it instead of asking containerd for a listing it would refuse.
    public func listingSizes() throws -> [String: Int] {
        let statement = try database.prepare("SELECT namespace, bytes FROM listing_sizes WHERE socket = ?")
        try statement.bind([.text(socket)])
        var sizes: [String: Int] = [:]
        while try statement.step() { sizes[statement.text(0)] = Int(statement.integer(1)) }
        return sizes
    }

    public func setListingSizes(_ sizes: [String: Int]) throws {
        try database.transaction {
            try database.prepare("DELETE FROM listing_sizes WHERE socket = ?").run([.text(socket)])
            let insert = try database.prepare("INSERT INTO listing_sizes (socket, namespace, bytes) VALUES (?, ?, ?)")
            for (namespace, bytes) in sizes { try insert.run([.text(socket), .text(namespace), .integer(Int64(bytes))]) }
        }
    }

    private static func content(_ row: SQLiteDatabase.Statement, from first: Int32) -> ImageContent {
        let layers = row.text(first + 7)
        return ImageContent(
            configDigest: row.text(first), layers: layers.isEmpty ? [] : layers.split(separator: "\n").map(String.init),
            mediaType: row.text(first + 1), os: row.text(first + 2), architecture: row.text(first + 3),
            variant: row.text(first + 4), sizeBytes: row.integer(first + 5), createdAt: row.integer(first + 6))
    }
}
