import FoundationEssentials
import VigilModuleSQLite
#if canImport(Glibc)
import Glibc
#endif

/// The sbom module's SQLite file (`<run_path>/sbom.db`): the inventory of every layer read,
/// by diff id (shared by every image that has the layer, kept across restarts), and the
/// latest bill of materials of each image and of the host.
public final class SBOMDatabase: @unchecked Sendable {
    /// One stored result, without its document.
    public struct Record: Sendable, Codable, Equatable {
        public var subject: BOMSubject
        public var status: String
        public var error: String
        /// Unix nanoseconds.
        public var generatedAt: Int64
        public var durationMilliseconds: Int64
        public var packageCount: Int64
        /// Of the image's layers, how many that scan read and how many the layer cache answered.
        public var layersRead: Int64
        public var layerCacheHits: Int64

        public init(subject: BOMSubject, status: String, error: String, generatedAt: Int64,
                    durationMilliseconds: Int64, packageCount: Int64, layersRead: Int64 = 0, layerCacheHits: Int64 = 0) {
            self.subject = subject
            self.status = status
            self.error = error
            self.generatedAt = generatedAt
            self.durationMilliseconds = durationMilliseconds
            self.packageCount = packageCount
            self.layersRead = layersRead
            self.layerCacheHits = layerCacheHits
        }
    }

    private let database: SQLiteDatabase
    private var mutex = pthread_mutex_t()
    public var path: String { database.path }

    public init(path: String) throws {
        database = try SQLiteDatabase(path: path)
        pthread_mutex_init(&mutex, nil)
        try database.execute("""
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS layers(diff_id TEXT PRIMARY KEY, inventory BLOB NOT NULL, stored_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS boms(subject_id TEXT PRIMARY KEY, subject BLOB NOT NULL, status TEXT NOT NULL,
                error TEXT NOT NULL, generated_at INTEGER NOT NULL, duration_ms INTEGER NOT NULL,
                package_count INTEGER NOT NULL, document BLOB);
            """)
        // Files made before the layer counts were kept gain their columns.
        let columns = try database.prepare("SELECT name FROM pragma_table_info('boms')")
        var known: Set<String> = []
        while try columns.step() { known.insert(columns.text(0)) }
        for column in ["layers_read", "layer_cache_hits"] where !known.contains(column) {
            try database.execute("ALTER TABLE boms ADD COLUMN \(column) INTEGER NOT NULL DEFAULT 0")
        }
        // Layers read by older catalogers lack what the newer ones find: read them again.
        if try database.integer("PRAGMA user_version") < Self.catalogGeneration {
            try database.execute("DELETE FROM layers; PRAGMA user_version = \(Self.catalogGeneration);")
        }
    }

    /// Raised whenever a cataloger starts finding something it did not (2: rpm's Berkeley DB).
    static let catalogGeneration: Int64 = 2

    public func layer(_ diffID: String) -> LayerInventory? {
        locked {
            guard let statement = try? database.prepare("SELECT inventory FROM layers WHERE diff_id = ?"),
                  (try? statement.bind([.text(diffID)])) != nil, (try? statement.step()) == true else { return nil }
            return try? JSONDecoder().decode(LayerInventory.self, from: Data(statement.blob(0)))
        }
    }

    public func storeLayer(_ inventory: LayerInventory) throws {
        let encoded = try JSONEncoder().encode(inventory)
        try locked {
            try database.prepare("INSERT OR REPLACE INTO layers(diff_id, inventory, stored_at) VALUES (?, ?, ?)")
                .run([.text(inventory.diffID), .blob(Array(encoded)), .integer(Int64(Date().timeIntervalSince1970))])
        }
    }

    public func layerCount() -> Int { locked { Int((try? database.integer("SELECT count(*) FROM layers")) ?? 0) } }

    /// Keeps the layer rows some image still uses; the rest go.
    public func retainLayers(_ diffIDs: Set<String>) throws {
        try locked {
            let statement = try database.prepare("SELECT diff_id FROM layers")
            var gone: [String] = []
            while try statement.step() {
                let id = statement.text(0)
                if !diffIDs.contains(id) { gone.append(id) }
            }
            let delete = try database.prepare("DELETE FROM layers WHERE diff_id = ?")
            try database.transaction { for id in gone { try delete.run([.text(id)]) } }
        }
    }

    public func store(_ record: Record, document: [UInt8]?) throws {
        let subject = try JSONEncoder().encode(record.subject)
        try locked {
            try database.prepare("""
                INSERT OR REPLACE INTO boms(subject_id, subject, status, error, generated_at, duration_ms, package_count,
                    layers_read, layer_cache_hits, document)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, (SELECT document FROM boms WHERE subject_id = ?)))
                """).run([.text(record.subject.id), .blob(Array(subject)), .text(record.status), .text(record.error),
                          .integer(record.generatedAt), .integer(record.durationMilliseconds),
                          .integer(record.packageCount), .integer(record.layersRead), .integer(record.layerCacheHits),
                          document.map { .blob($0) } ?? .null, .text(record.subject.id)])
        }
    }

    public func records() -> [Record] {
        locked {
            guard let statement = try? database.prepare(
                "SELECT subject, status, error, generated_at, duration_ms, package_count, layers_read, layer_cache_hits FROM boms ORDER BY subject_id") else { return [] }
            var records: [Record] = []
            while (try? statement.step()) == true {
                guard let subject = try? JSONDecoder().decode(BOMSubject.self, from: Data(statement.blob(0))) else { continue }
                records.append(Record(subject: subject, status: statement.text(1), error: statement.text(2),
                                      generatedAt: statement.integer(3), durationMilliseconds: statement.integer(4),
                                      packageCount: statement.integer(5), layersRead: statement.integer(6),
                                      layerCacheHits: statement.integer(7)))
            }
            return records
        }
    }

    /// The stored document of a subject: an image id, a prefix of one, a reference, or "host".
    public func document(for query: String) -> (Record, [UInt8])? {
        let match = records().first { record in
            record.subject.id == query || (query == "host" && record.subject.kind == .host)
                || (query.count >= 4 && (record.subject.id.hasPrefix(query) || record.subject.id.hasPrefix("sha256:" + query)))
                || record.subject.repoTags.contains(query) || record.subject.repoDigests.contains(query)
                || record.subject.name == query
        }
        guard let match else { return nil }
        return locked {
            guard let statement = try? database.prepare("SELECT document FROM boms WHERE subject_id = ?"),
                  (try? statement.bind([.text(match.subject.id)])) != nil, (try? statement.step()) == true else { return nil }
            let document = statement.blob(0)
            return document.isEmpty ? nil : (match, document)
        }
    }

    public func remove(subject id: String) throws {
        try locked { try database.prepare("DELETE FROM boms WHERE subject_id = ?").run([.text(id)]) }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}
