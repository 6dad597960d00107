import Foundation
import Logging
import MMSClient
import MMSCore
import MMSMessages
import MMSSQLite

/// The work behind each benchmarked call, shared by every server stack so they differ only in
/// their RPC layers: Health/Check answers at once; GetMigrationStatus by identity reads the
/// user's migration records from SQLite through the migration engine, as `mms-server` does
/// (less the bearer-token check, which no stack does here).
final class BenchWork: Sendable {
    static let tenant = TenantID("bench")

    let engine: MigrationEngine
    let users: Int

    /// Opens (and on first use seeds) the SQLite store in `dataDirectory`: `users` users, each
    /// with one queued migration. The engine's workers are never started, so nothing runs.
    init(dataDirectory: String, users: Int) async throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        var logger = Logger(label: "peer-bench.sqlite")
        logger.logLevel = .error
        let store = try SQLiteMigrationStore(directory: dataDirectory, logger: logger)
        self.engine = MigrationEngine(store: store, logger: logger)
        self.users = users
        if (try? await engine.user(tenant: Self.tenant, identity: Self.identity(0))) == nil {
            for index in 0..<users {
                try await engine.createUser(MMSCore.User(tenant: Self.tenant, userPrincipalName: Self.identity(index)))
                _ = try await engine.startMeetingMigration(tenant: Self.tenant, identity: Self.identity(index))
            }
        }
    }

    static func identity(_ index: Int) -> String { String(format: "user-%06d@bench.example.com", index) }

    func health(_ request: HealthCheckRequest) -> HealthCheckResponse {
        HealthCheckResponse(status: .serving)
    }

    func status(_ request: GetMigrationStatusRequest) async throws -> GetMigrationStatusResponse {
        let query = StatusQuery(identity: request.identity, limit: StatusQuery.defaultLimit)
        let records = try await engine.migrationStatus(tenant: Self.tenant, query: query)
        return GetMigrationStatusResponse(records: records.map(Self.message))
    }

    private static func message(_ record: MigrationStatusRecord) -> MMSMessages.MigrationStatus {
        MMSMessages.MigrationStatus(
            correlationId: record.correlationId.rawValue, userId: record.userId.rawValue, userPrincipalName: record.userPrincipalName,
            state: state(record.state), migrationType: .unspecified, retryCount: UInt32(clamping: record.retryCount),
            lastMessage: record.lastMessage, createDateMicros: Int64(record.createDate.timeIntervalSince1970 * 1e6),
            modifiedDateMicros: Int64(record.modifiedDate.timeIntervalSince1970 * 1e6), totalMeeting: UInt32(clamping: record.totalMeetings),
            succeededMeeting: UInt32(clamping: record.succeededMeetings), failedMeeting: UInt32(clamping: record.failedMeetings),
            invitesUpdate: UInt32(clamping: record.invitesUpdated))
    }

    private static func state(_ state: MMSCore.MigrationState) -> MMSMessages.MigrationState {
        switch state {
        case .pending: return .pending
        case .inProgress: return .inProgress
        case .failed: return .failed
        case .succeeded: return .succeeded
        }
    }
}
