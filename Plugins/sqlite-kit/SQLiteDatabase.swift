internal import CSQLite3
#if canImport(Glibc)
import Glibc
#endif

/// The few SQLite calls the Swift modules need (the containerd module's image cache, the sbom
/// module's layer cache and documents), over the system's libsqlite3.
///
/// Why not GRDB (which the core uses): the module is its own shared library and would carry
/// its own static copy of GRDB; one table of prepared statements does not justify that.
/// Used by one task at a time (the collector actor owns it).
public final class SQLiteDatabase {
    public struct Failure: Error, CustomStringConvertible { public var description: String }

    private var handle: OpaquePointer?
    public let path: String

    /// Opens (creating it readable by its owner only) the database at `path`.
    public init(path: String) throws {
        self.path = path
        // SQLite creates files 0644 (less the umask) and gives its journal the database file's
        // mode: create the file 0600 first, and narrow a file an older version left wider.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        fchmod(fd, 0o600)
        close(fd)
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            handle = nil
            throw Failure(description: "cannot open \(path): \(message)")
        }
        sqlite3_busy_timeout(handle, 2000)
    }

    deinit { sqlite3_close(handle) }

    /// Runs statements that return no rows.
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? lastError
            sqlite3_free(error)
            throw Failure(description: "\(path): \(message)")
        }
    }

    /// One integer answer, e.g. `PRAGMA user_version`.
    public func integer(_ sql: String) throws -> Int64 {
        let statement = try prepare(sql)
        guard try statement.step() else { return 0 }
        return statement.integer(0)
    }

    public func prepare(_ sql: String) throws -> Statement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Failure(description: "\(path): \(lastError) in \(sql)")
        }
        return Statement(statement, database: self)
    }

    /// Runs `body` in one transaction (one fsync for thousands of rows), rolled back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    fileprivate var lastError: String { handle.map { String(cString: sqlite3_errmsg($0)) } ?? "closed" }

    /// A prepared statement, reset and rebound for each use.
    public final class Statement {
        private let statement: OpaquePointer
        private let database: SQLiteDatabase

        fileprivate init(_ statement: OpaquePointer, database: SQLiteDatabase) {
            self.statement = statement
            self.database = database
        }

        deinit { sqlite3_finalize(statement) }

        /// Binds the values in order (1-based), after clearing the previous use.
        public func bind(_ values: [Value]) throws {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            for (offset, value) in values.enumerated() {
                let index = Int32(offset + 1)
                let status: Int32
                switch value {
                case let .text(text): status = sqlite3_bind_text(statement, index, text, -1, transientDestructor)
                case let .integer(number): status = sqlite3_bind_int64(statement, index, number)
                case .null: status = sqlite3_bind_null(statement, index)
                case let .blob(bytes):
                    status = bytes.withUnsafeBytes { sqlite3_bind_blob64(statement, index, $0.baseAddress, sqlite3_uint64($0.count), transientDestructor) }
                }
                guard status == SQLITE_OK else { throw Failure(description: "\(database.path): \(database.lastError)") }
            }
        }

        /// Advances: true when a row is available, false when done.
        public func step() throws -> Bool {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            default: throw Failure(description: "\(database.path): \(database.lastError)")
            }
        }

        /// Runs a statement that returns no rows.
        public func run(_ values: [Value]) throws {
            try bind(values)
            while try step() {}
        }

        public func text(_ column: Int32) -> String {
            guard let bytes = sqlite3_column_text(statement, column) else { return "" }
            return String(cString: bytes)
        }

        public func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

        public func blob(_ column: Int32) -> [UInt8] {
            guard let bytes = sqlite3_column_blob(statement, column) else { return [] }
            return [UInt8](UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, column))))
        }
    }

    public enum Value {
        case text(String)
        case integer(Int64)
        case blob([UInt8])
        case null
    }
}

/// SQLITE_TRANSIENT: SQLite copies the bound text (the Swift string's buffer is temporary).
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
