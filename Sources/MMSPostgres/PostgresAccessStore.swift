import Foundation
import Logging
import MMSCore
import MMSStoredForms
import NIOCore
import NIOFoundationCompat
import PostgresNIO

/// Tenants and token hashes in the shared database (SQLite keeps them in `access.sqlite`), so that
/// every server knows every tenant and token (issue 12).
public final class PostgresAccessStore: AccessStore, AuditStore {
    let backend: PostgresBackend
    var logger: Logger { backend.logger }

    public init(backend: PostgresBackend) {
        self.backend = backend
    }

    /// Runs `body` in a transaction and, inside an admin call, writes the call's audit record in it
    /// (R8); `target` replaces the record's target (the id of what `body` created).
    private func write<T: Sendable>(target: String? = nil, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        guard let scope = AuditScope.current else { return try await backend.transaction(body) }
        if let target { scope.update { $0.target = target } }
        let record = scope.pending
        let logger = self.logger
        let value = try await backend.transaction { connection in
            let value = try await body(connection)
            try await PostgresAudit.upsert(connection, place: .access, record, correlationIDs: [], logger)
            return value
        }
        scope.markWritten()
        return value
    }

    public func createTenant(_ tenant: TenantRecord) async throws {
        let logger = self.logger
        try await write { connection in
            let inserted = try await connection.rows(
                """
                INSERT INTO access_tenants (id, display_name, created) VALUES (\(tenant.id.rawValue), \(tenant.displayName),
                    \(tenant.created.timeIntervalSince1970)) ON CONFLICT DO NOTHING RETURNING id
                """, logger)
            if inserted.isEmpty {
                throw MigrationEngineError(code: .alreadyExists, field: "tenant_id", message: "tenant '\(tenant.id)' already exists")
            }
        }
    }

    public func tenants() async throws -> [TenantRecord] {
        try await backend.rows("SELECT id, display_name, created FROM access_tenants ORDER BY id").map { row in
            let row = row.makeRandomAccess()
            return TenantRecord(
                id: TenantID(try row.get(0, String.self)), displayName: try row.get(1),
                created: Date(timeIntervalSince1970: try row.get(2, Double.self)))
        }
    }

    public func saveToken(_ token: AccessToken) async throws {
        let logger = self.logger
        let hash = ByteBuffer(bytes: token.secretHash)
        try await write(target: token.id) { connection in
            try await connection.run(
                """
                INSERT INTO access_tokens (id, tenant, role, description, secret_hash, created, revoked)
                VALUES (\(token.id), \(token.tenant?.rawValue), \(token.role.rawValue), \(token.description), \(hash),
                    \(token.created.timeIntervalSince1970), \(token.revoked?.timeIntervalSince1970))
                """, logger)
        }
    }

    static let tokenColumns = "id, tenant, role, description, secret_hash, created, revoked"

    public func tokens() async throws -> [AccessToken] {
        try await backend.rows("SELECT \(unescaped: Self.tokenColumns) FROM access_tokens ORDER BY created, id").map(Self.token)
    }

    public func revokeToken(id: String, at date: Date) async throws -> AccessToken? {
        let logger = self.logger
        return try await write { connection in
            try await connection.run(
                "UPDATE access_tokens SET revoked = \(date.timeIntervalSince1970) WHERE id = \(id) AND revoked IS NULL", logger)
            return try await connection.rows("SELECT \(unescaped: Self.tokenColumns) FROM access_tokens WHERE id = \(id)", logger)
                .first.map(Self.token)
        }
    }

    private static func token(_ row: PostgresRow) throws -> AccessToken {
        let row = row.makeRandomAccess()
        return AccessToken(
            id: try row.get(0), tenant: try row.get(1, String?.self).map(TenantID.init(rawValue:)),
            role: Role(rawValue: try row.get(2)) ?? .tenantReader, description: try row.get(3),
            secretHash: [UInt8](try row.get(4, Data.self)), created: Date(timeIntervalSince1970: try row.get(5)),
            revoked: try row.get(6, Double?.self).map(Date.init(timeIntervalSince1970:)))
    }

    public func recordAudit(_ record: AuditRecord) async throws {
        let logger = self.logger
        try await backend.transaction { try await PostgresAudit.upsert($0, place: .access, record, correlationIDs: [], logger) }
    }

    public func auditRecords(_ query: AuditQuery) async throws -> [AuditRecord] {
        try await PostgresAudit.select(backend, place: .access, query)
    }

    public func pruneAudit(before cutoff: Date) async throws -> Int {
        try await PostgresAudit.prune(backend, place: .access, before: cutoff)
    }
}

/// The audit trail's table (R8), one for both stores: `place` keeps each store's records apart,
/// as SQLite's two files do, so that a listing of both has each record once.
enum PostgresAudit {
    enum Place: String { case engine, access }

    static func upsert(
        _ connection: PostgresConnection, place: Place, _ record: AuditRecord, correlationIDs: [String]?, _ logger: Logger
    ) async throws {
        let ids = (correlationIDs ?? record.correlationIDs).joined(separator: " ")
        try await connection.run(
            """
            INSERT INTO audit_records AS a (place, id, at, token_id, role, tenant, call, target, target_key, outcome, detail, correlation_ids)
            VALUES (\(place.rawValue), \(record.id), \(record.time.micros), \(record.tokenID), \(record.role.rawValue), \(record.tenant?.rawValue),
                \(record.call), \(record.target), \(record.target.lowercased()), \(record.outcome), \(record.detail), \(ids))
            ON CONFLICT (place, id) DO UPDATE SET
                outcome = excluded.outcome,
                detail = CASE WHEN excluded.detail = '' THEN a.detail ELSE excluded.detail END,
                target = excluded.target, target_key = excluded.target_key,
                correlation_ids = CASE
                    WHEN excluded.correlation_ids = '' THEN a.correlation_ids
                    WHEN a.correlation_ids = '' THEN excluded.correlation_ids
                    ELSE a.correlation_ids || ' ' || excluded.correlation_ids END
            """, logger)
    }

    static func select(_ backend: PostgresBackend, place: Place, _ query: AuditQuery) async throws -> [AuditRecord] {
        var bindings = PostgresBindings()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        var clauses = ["place = \(bind(place.rawValue))"]
        if let tenant = query.tenant { clauses.append("tenant = \(bind(tenant.rawValue))") }
        if let role = query.role { clauses.append("role = \(bind(role.rawValue))") }
        if let target = query.target { clauses.append("target_key = \(bind(target.lowercased()))") }
        if let start = query.start { clauses.append("at >= \(bind(start.micros))") }
        if let end = query.end { clauses.append("at <= \(bind(end.micros))") }
        let limit = bind(query.limit)
        let sql = """
            SELECT id, at, token_id, role, tenant, call, target, outcome, detail, correlation_ids FROM audit_records
            WHERE \(clauses.joined(separator: " AND ")) ORDER BY at DESC, id DESC LIMIT \(limit)
            """
        return try await backend.rows(PostgresQuery(unsafeSQL: sql, binds: bindings)).map { row in
            let row = row.makeRandomAccess()
            return AuditRecord(
                id: try row.get(0), time: Date(micros: try row.get(1)), tokenID: try row.get(2),
                role: Role(rawValue: try row.get(3)) ?? .tenantReader, tenant: try row.get(4, String?.self).map(TenantID.init(rawValue:)),
                call: try row.get(5), target: try row.get(6), outcome: try row.get(7), detail: try row.get(8),
                correlationIDs: try row.get(9, String.self).split(separator: " ").map(String.init))
        }
    }

    /// Deletes records older than `cutoff`, on one server at a time (the others return 0).
    static func prune(_ backend: PostgresBackend, place: Place, before cutoff: Date) async throws -> Int {
        let logger = backend.logger
        return try await backend.transaction { connection in
            let locked = try await connection.rows("SELECT pg_try_advisory_xact_lock(\(AdvisoryLock.auditPrune))", logger)
            guard try locked.first?.makeRandomAccess().get(0, Bool.self) == true else { return 0 }
            return try await connection.rows(
                "DELETE FROM audit_records WHERE place = \(place.rawValue) AND at < \(cutoff.micros) RETURNING id", logger
            ).count
        }
    }
}
