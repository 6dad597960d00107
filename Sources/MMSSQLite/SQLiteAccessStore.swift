import Foundation
import GRDB
import MMSCore
import MMSStoredForms

/// Tenants and token hashes in their own SQLite file beside the engine's database.
///
/// Writes are rare (an admin creating a tenant or a token), so a single serialized
/// connection with `synchronous = FULL` is enough.
public final class SQLiteAccessStore: AccessStore {
    /// The database file's name inside the data directory.
    public static let fileName = "access.sqlite"

    private let queue: DatabaseQueue

    /// Opens (creating if needed) the access database in `directory`.
    /// - Throws: when the file cannot be created or its schema migrated.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        self.queue = try DatabaseQueue(path: (directory as NSString).appendingPathComponent(Self.fileName), configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: tenants and tokens") { db in
            try db.execute(sql: """
                CREATE TABLE tenant (
                    id TEXT PRIMARY KEY NOT NULL,
                    display_name TEXT NOT NULL,
                    created REAL NOT NULL
                );
                CREATE TABLE token (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant TEXT REFERENCES tenant(id),
                    role TEXT NOT NULL,
                    description TEXT NOT NULL,
                    secret_hash BLOB NOT NULL,
                    created REAL NOT NULL,
                    revoked REAL
                );
                """)
        }
        migrator.registerMigration("v2-audit: the audit trail of tenant and token changes") { db in
            try db.execute(sql: AuditSQL.createTable)
        }
        try migrator.migrate(self.queue)
    }

    /// Runs `body` in a write transaction and, inside an admin call, writes the call's audit record
    /// in it (R8); `target` replaces the record's target (the id of what `body` created).
    private func write<T: Sendable>(target: String? = nil, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard let scope = AuditScope.current else { return try await self.queue.write(body) }
        if let target { scope.update { $0.target = target } }
        let record = scope.pending
        let value = try await self.queue.write { db in
            let value = try body(db)
            try AuditSQL.upsert(db, record, correlationIDs: [])
            return value
        }
        scope.markWritten()
        return value
    }

    public func createTenant(_ tenant: TenantRecord) async throws {
        try await self.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM tenant WHERE id = ?", arguments: [tenant.id.rawValue]) == true {
                throw MigrationEngineError(code: .alreadyExists, field: "tenant_id", message: "tenant '\(tenant.id)' already exists")
            }
            try db.execute(
                sql: "INSERT INTO tenant (id, display_name, created) VALUES (?, ?, ?)",
                arguments: [tenant.id.rawValue, tenant.displayName, tenant.created.timeIntervalSince1970]
            )
        }
    }

    public func tenants() async throws -> [TenantRecord] {
        try await self.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, display_name, created FROM tenant ORDER BY id").map { row in
                TenantRecord(id: TenantID(row["id"] as String), displayName: row["display_name"], created: Date(timeIntervalSince1970: row["created"]))
            }
        }
    }

    public func saveToken(_ token: AccessToken) async throws {
        try await self.write(target: token.id) { db in
            try db.execute(
                sql: "INSERT INTO token (id, tenant, role, description, secret_hash, created, revoked) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    token.id, token.tenant?.rawValue, token.role.rawValue, token.description, Data(token.secretHash),
                    token.created.timeIntervalSince1970, token.revoked?.timeIntervalSince1970,
                ]
            )
        }
    }

    public func tokens() async throws -> [AccessToken] {
        try await self.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM token ORDER BY created, id").map(Self.token)
        }
    }

    public func revokeToken(id: String, at date: Date) async throws -> AccessToken? {
        try await self.write { db in
            try db.execute(sql: "UPDATE token SET revoked = ? WHERE id = ? AND revoked IS NULL", arguments: [date.timeIntervalSince1970, id])
            return try Row.fetchOne(db, sql: "SELECT * FROM token WHERE id = ?", arguments: [id]).map(Self.token)
        }
    }

    private static func token(_ row: Row) -> AccessToken {
        let revoked: Double? = row["revoked"]
        let tenant: String? = row["tenant"]
        return AccessToken(
            id: row["id"], tenant: tenant.map(TenantID.init(rawValue:)), role: Role(rawValue: row["role"]) ?? .tenantReader,
            description: row["description"], secretHash: [UInt8](row["secret_hash"] as Data),
            created: Date(timeIntervalSince1970: row["created"]), revoked: revoked.map(Date.init(timeIntervalSince1970:))
        )
    }
}

extension SQLiteAccessStore: AuditStore {
    public func recordAudit(_ record: AuditRecord) async throws {
        try await self.queue.write { db in try AuditSQL.upsert(db, record, correlationIDs: []) }
    }

    public func auditRecords(_ query: AuditQuery) async throws -> [AuditRecord] {
        try await self.queue.read { db in try AuditSQL.select(db, query) }
    }

    public func pruneAudit(before cutoff: Date) async throws -> Int {
        try await self.queue.write { db in try AuditSQL.prune(db, before: cutoff) }
    }
}
