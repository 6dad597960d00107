import Foundation
import GRDB
import GRDBSQLite
import MMSCore
import MMSStoredForms

/// Status records read straight from SQLite's C API, for GetMigrationStatus, the busiest read.
///
/// GRDB's row layer builds a cursor, a copied row and a column-name dictionary for every
/// fetch: on a status call a profile put it at a seventh of the server's CPU, more than SQLite's
/// own work. Here GRDB prepares, caches and binds the statement, and the rows are stepped and
/// read by column position (the order of `SQLiteMigrationStore.recordColumns`).
enum StatusRows {
    static func fetchAll(_ db: Database, _ statement: Statement, arguments: StatementArguments) throws -> [MigrationStatusRecord] {
        try statement.setArguments(arguments)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        var records: [MigrationStatusRecord] = []
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return records }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: statement.sql)
            }
            records.append(record(handle))
        }
    }

    private static func record(_ row: OpaquePointer) -> MigrationStatusRecord {
        MigrationStatusRecord(
            correlationId: CorrelationID(text(row, 0) ?? ""),
            tenant: TenantID(text(row, 1) ?? ""),
            userId: UserID(text(row, 2) ?? ""),
            userPrincipalName: text(row, 3) ?? "",
            state: text(row, 4).flatMap(MigrationState.init(rawValue:)) ?? .pending,
            scope: MigrationScope(skypeMeetings: text(row, 5).flatMap(SkypeMeetingTreatment.init(rawValue:)), teamsMeetings: int(row, 6) != 0),
            retryCount: int(row, 7),
            lastMessage: text(row, 8) ?? "",
            createDate: Date(micros: sqlite3_column_int64(row, 9)),
            modifiedDate: Date(micros: sqlite3_column_int64(row, 10)),
            totalMeetings: int(row, 11),
            succeededMeetings: int(row, 12),
            failedMeetings: int(row, 13),
            skippedMeetings: int(row, 14),
            invitesUpdated: int(row, 15),
            triggerCount: int(row, 16),
            followUpOf: text(row, 17).map(CorrelationID.init(rawValue:)),
            nextAttempt: sqlite3_column_type(row, 18) == SQLITE_NULL ? nil : Date(micros: sqlite3_column_int64(row, 18)),
            leaseOwner: text(row, 19),
            refusedRecipients: int(row, 20))
    }

    /// A TEXT column, nil when NULL. Copied at once: SQLite's pointer lives until the next step.
    private static func text(_ row: OpaquePointer, _ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(row, column) else { return nil }
        let count = Int(sqlite3_column_bytes(row, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    private static func int(_ row: OpaquePointer, _ column: Int32) -> Int {
        Int(sqlite3_column_int64(row, column))
    }
}
