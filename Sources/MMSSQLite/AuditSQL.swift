import Foundation
import GRDB
import MMSCore
import MMSStoredForms

/// The audit trail's table (R8), the same in both SQLite files: the access store keeps the records
/// of tenant and token changes, the engine's store those of every other change, each written in
/// the transaction of the change it records.
public enum AuditSQL {
    /// The table and its indexes (a schema migration of each file runs it).
    static let createTable = """
        CREATE TABLE audit_records (
            id TEXT PRIMARY KEY NOT NULL,
            at INTEGER NOT NULL,
            token_id TEXT NOT NULL,
            role TEXT NOT NULL,
            tenant TEXT,
            call TEXT NOT NULL,
            target TEXT NOT NULL,
            target_key TEXT NOT NULL,
            outcome TEXT NOT NULL,
            detail TEXT NOT NULL,
            correlation_ids TEXT NOT NULL DEFAULT '');
        CREATE INDEX audit_records_by_tenant ON audit_records(tenant, at);
        CREATE INDEX audit_records_by_role ON audit_records(role, at);
        CREATE INDEX audit_records_by_time ON audit_records(at);
        """

    /// Inserts `record` into the transaction `db` is in, or, when a write of the same call already
    /// did, updates it: the outcome, the detail when one is given, the target, and
    /// `correlationIDs` added to those already recorded.
    ///
    /// This is what a write path calls inside its own transaction to record the call it serves
    /// (the enqueue path does, see `SQLiteMigrationStore.write`): take the call's
    /// `AuditScope.current` on the caller's task, pass `scope.pending` here with the ids of the
    /// migrations the transaction queued or merged into, and call `scope.markWritten()` once the
    /// transaction committed.
    public static func upsert(_ db: Database, _ record: AuditRecord, correlationIDs: [String]? = nil) throws {
        let ids = (correlationIDs ?? record.correlationIDs).joined(separator: " ")
        try db.execute(
            sql: """
                INSERT INTO audit_records (id, at, token_id, role, tenant, call, target, target_key, outcome, detail, correlation_ids)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    outcome = excluded.outcome,
                    detail = CASE WHEN excluded.detail = '' THEN detail ELSE excluded.detail END,
                    target = excluded.target, target_key = excluded.target_key,
                    correlation_ids = CASE
                        WHEN excluded.correlation_ids = '' THEN correlation_ids
                        WHEN correlation_ids = '' THEN excluded.correlation_ids
                        ELSE correlation_ids || ' ' || excluded.correlation_ids END
                """,
            arguments: [
                record.id, record.time.micros, record.tokenID, record.role.rawValue, record.tenant?.rawValue, record.call,
                record.target, record.target.lowercased(), record.outcome, record.detail, ids,
            ])
    }

    static func select(_ db: Database, _ query: AuditQuery) throws -> [AuditRecord] {
        var clauses: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let tenant = query.tenant {
            clauses.append("tenant = ?")
            arguments.append(tenant.rawValue)
        }
        if let role = query.role {
            clauses.append("role = ?")
            arguments.append(role.rawValue)
        }
        if let target = query.target {
            clauses.append("target_key = ?")
            arguments.append(target.lowercased())
        }
        if let start = query.start {
            clauses.append("at >= ?")
            arguments.append(start.micros)
        }
        if let end = query.end {
            clauses.append("at <= ?")
            arguments.append(end.micros)
        }
        arguments.append(query.limit)
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        return try Row.fetchAll(
            db, sql: "SELECT * FROM audit_records \(filter) ORDER BY at DESC, id DESC LIMIT ?", arguments: StatementArguments(arguments)
        ).map { row in
            let tenant: String? = row["tenant"]
            let ids: String = row["correlation_ids"]
            return AuditRecord(
                id: row["id"], time: row.date("at"), tokenID: row["token_id"], role: Role(rawValue: row["role"]) ?? .tenantReader,
                tenant: tenant.map(TenantID.init(rawValue:)), call: row["call"], target: row["target"], outcome: row["outcome"],
                detail: row["detail"], correlationIDs: ids.split(separator: " ").map(String.init))
        }
    }

    static func prune(_ db: Database, before cutoff: Date) throws -> Int {
        try db.execute(sql: "DELETE FROM audit_records WHERE at < ?", arguments: [cutoff.micros])
        return db.changesCount
    }

    /// What a write's result says for the record (``AuditSummary``, shared with the PostgreSQL store).
    static func summary(of value: Any) -> (ids: [String], outcome: String?, detail: String?) { AuditSummary.of(value) }
}

extension SQLiteMigrationStore: AuditStore {
    public func recordAudit(_ record: AuditRecord) async throws {
        try await committer.write { db in try AuditSQL.upsert(db, record, correlationIDs: []) }
    }

    public func auditRecords(_ query: AuditQuery) async throws -> [AuditRecord] {
        try await read { db in try AuditSQL.select(db, query) }
    }

    public func pruneAudit(before cutoff: Date) async throws -> Int {
        try await committer.write { db in try AuditSQL.prune(db, before: cutoff) }
    }
}
