import Foundation
import GRDB
import MMSCore
import MMSStoredForms

extension SQLiteMigrationStore {
    public func migrationStatus(_ correlationId: CorrelationID) async throws -> MigrationStatusRecord? {
        try await read { db in try Self.record(db, correlationId) }
    }

    public func migrationStatus(_ tenant: TenantID, filter: StatusFilter) async throws -> [MigrationStatusRecord] {
        let (conditions, arguments) = Self.conditions(tenant, filter)
        let fetch: @Sendable (Database) throws -> [MigrationStatusRecord] = { db in
            var all = arguments
            all += [filter.limit]
            // Cached: the filters give a handful of distinct statements, each parsed once.
            let records = try StatusRows.fetchAll(
                db,
                db.cachedStatement(
                    sql: "SELECT \(Self.recordColumns) FROM migrations WHERE \(conditions) ORDER BY modified_at DESC, created_at DESC LIMIT ?"),
                arguments: all)
            if records.isEmpty { try Self.requireUser(db, tenant, filter) }
            return records
        }
        // One user's records (GetMigrationStatus by identity) are a short indexed read: on the
        // calling thread (see `readNow`). A tenant-wide listing may return thousands of rows, so
        // it runs on GRDB's reader queue.
        if filter.principalName != nil || filter.userId != nil { return try readNow(fetch) }
        return try await read(fetch)
    }

    public func migrationSummary(_ tenant: TenantID, filter: StatusFilter) async throws -> [MigrationState: Int] {
        let (conditions, arguments) = Self.conditions(tenant, filter)
        // Counts a tenant's records: may be long, so it runs on GRDB's reader queue.
        return try await read { db in
            var summary: [MigrationState: Int] = [:]
            for row in try Row.fetchAll(
                db.cachedStatement(sql: "SELECT state, COUNT(DISTINCT user_id) AS users FROM migrations WHERE \(conditions) GROUP BY state"),
                arguments: arguments)
            {
                if let state = MigrationState(rawValue: row[0]) { summary[state] = row[1] }
            }
            if summary.isEmpty { try Self.requireUser(db, tenant, filter) }
            return summary
        }
    }

    public func pruneMigrations(createdBefore cutoff: Date) async throws -> Int {
        try await write { db in
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM migrations WHERE created_at < ? AND state IN ('succeeded', 'failed')",
                arguments: [cutoff.micros])
            for id in ids {
                try db.execute(sql: "DELETE FROM meeting_outcomes WHERE migration_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM outbox WHERE migration_id = ? AND sent_at IS NOT NULL", arguments: [id])
                try db.execute(sql: "DELETE FROM migrations WHERE id = ?", arguments: [id])
            }
            return ids.count
        }
    }

    static func conditions(_ tenant: TenantID, _ filter: StatusFilter) -> (String, StatementArguments) {
        var conditions = ["tenant = ?"]
        var arguments: StatementArguments = [tenant.rawValue]
        if let userId = filter.userId {
            conditions.append("user_id = ?")
            arguments += [userId.rawValue]
        }
        if let principalName = filter.principalName {
            // Resolved in the same statement; `requireUser` tells an unknown user from one without records.
            conditions.append("user_id = (SELECT id FROM users WHERE tenant = ? AND upn_key = ?)")
            arguments += [tenant.rawValue, principalName.lowercased()]
        }
        if let start = filter.start {
            conditions.append("modified_at >= ?")
            arguments += [start.micros]
        }
        if let end = filter.end {
            conditions.append("modified_at <= ?")
            arguments += [end.micros]
        }
        if let state = filter.state {
            conditions.append("state = ?")
            arguments += [state.rawValue]
        }
        return (conditions.joined(separator: " AND "), arguments)
    }

    /// Throws NOT_FOUND when `filter` names a principal name the tenant does not have.
    static func requireUser(_ db: Database, _ tenant: TenantID, _ filter: StatusFilter) throws {
        guard let principalName = filter.principalName else { return }
        let known = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM users WHERE tenant = ? AND upn_key = ?"),
            arguments: [tenant.rawValue, principalName.lowercased()]) ?? false
        if !known { throw MigrationEngineError.unknownUser(principalName, tenant: tenant) }
    }
}
