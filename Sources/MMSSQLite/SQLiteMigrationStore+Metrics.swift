import Foundation
import GRDB
import MMSCore
import MMSStoredForms

/// Counts for the metrics endpoint (issue 13), read at most every few seconds (`StoreGauges`).
extension SQLiteMigrationStore: StoreCounts {
    /// How many migrations are in each state, across tenants (the records S2 keeps).
    public func migrationCountsByState() async throws -> [MigrationState: Int] {
        try await read { db in
            var counts: [MigrationState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM migrations GROUP BY state") {
                if let state = MigrationState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// How many invitations wait in the outbox, unsent (deferred ones included).
    public func outboxBacklog() async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox INDEXED BY outbox_unsent WHERE sent_at IS NULL") ?? 0
        }
    }
}
