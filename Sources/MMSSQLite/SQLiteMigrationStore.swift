import Foundation
import GRDB
import Logging
import MMSCore
import MMSStoredForms

/// The SQLite backend: one database file under a data directory.
///
/// Durability: WAL journal with `synchronous = FULL`, so every committed transaction is
/// fsynced to the WAL before the call returns, and an acknowledged write survives a process
/// crash and a power loss. Concurrent writes are batched into one transaction (group commit,
/// see `GroupCommitter`), so the fsync cost is shared. Reads run concurrently on WAL readers.
/// The schema is versioned with GRDB's `DatabaseMigrator`.
public final class SQLiteMigrationStore: MigrationStore {
    /// The database file's name inside the data directory.
    public static let fileName = "mms.sqlite"

    let pool: DatabasePool
    let readConnections: ReadConnections
    let committer: GroupCommitter
    let logger: Logger

    /// The path of the database file.
    public let path: String

    /// Opens (creating if needed) the database in `directory` and brings its schema up to date.
    ///
    /// - Parameters:
    ///   - directory: the data directory; created when missing.
    ///   - logger: where to log.
    /// - Throws: when the directory or file cannot be created or the schema cannot be migrated.
    public init(directory: String, logger: Logger = Logger(label: "mms.sqlite")) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent(Self.fileName)
        var configuration = Configuration()
        configuration.label = "mms"
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // FULL: the WAL is fsynced at every commit, so acknowledged writes survive power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB's pool sets its writer to `synchronous = NORMAL` when it turns WAL on, after
        // `prepareDatabase`: set FULL again on the writer, the connection that commits.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try Schema.migrator.migrate(pool)
        committer = GroupCommitter(writer: pool)
        // One per core is enough: a short read holds its connection only while it runs.
        readConnections = ReadConnections(path: path, limit: max(2, ProcessInfo.processInfo.activeProcessorCount))
        self.logger = logger
    }

    /// The names of the schema migrations applied to the file, in order.
    public func appliedSchemaVersions() async throws -> [String] {
        try await pool.read { db in try Schema.migrator.appliedMigrations(db) }
    }

    /// How many writes were committed in how many transactions since the store was opened
    /// (group commit makes the second number smaller under concurrency).
    public var writeStatistics: (writes: Int, transactions: Int) { committer.statistics }

    /// The value of a PRAGMA (for tests of the durability settings).
    public func pragma(_ name: String) async throws -> String? {
        // Read on the writer: its settings are the ones that make commits durable.
        try await pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    /// The query plan SQLite chooses for `sql`, one detail per line (for index tests).
    public func queryPlan(_ sql: String) async throws -> [String] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }

    /// A short indexed read, run on the calling thread rather than on GRDB's reader queue, and
    /// outside a transaction: each statement sees one consistent snapshot on its own.
    ///
    /// Measured on the status call: the thread hops of an async read (to GRDB's queues and back)
    /// and their wake-ups cost several times the read itself, and the transaction around it
    /// (BEGIN and COMMIT, parsed each time) as much again; see `ReadConnections` for the rest. A WAL reader does not wait for the
    /// writer, so this holds the caller (an RPC event loop) only for the read's own work.
    /// Keep to single statements bounded by an index and a limit; several statements that must
    /// agree, or anything that may scan, use `read`.
    func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        if let value = try readConnections.read(body) { return value }
        return try pool.unsafeRead(body)
    }

    /// Runs `body` in the next group transaction. Inside an admin call (an `AuditScope` is
    /// current) the call's audit record is written in the same transaction (R8), with the ids of
    /// the migrations `body` queued (the enqueue path: `enqueueMigration`, `modifyUser`).
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard let scope = AuditScope.current else { return try await committer.write(body) }
        let record = scope.pending
        let value = try await committer.write { db in
            let value = try body(db)
            let summary = AuditSQL.summary(of: value)
            var written = record
            if let outcome = summary.outcome { written.outcome = outcome }
            if let detail = summary.detail { written.detail = detail }
            try AuditSQL.upsert(db, written, correlationIDs: summary.ids)
            return value
        }
        scope.markWritten()
        return value
    }
}
