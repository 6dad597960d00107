import Foundation
import MMSCore
import MMSMessages
import MMSRPC

/// `mms.v1.MigrationService` over the migration engine (MISSION T4, S1).
struct MigrationService: MigrationServiceHandler {
    let engine: MigrationEngine
    let tenants: TenantResolver

    func startMeetingMigration(_ request: StartMeetingMigrationRequest, context: ServerContext) async throws -> StartMeetingMigrationResponse {
        let identity = try Validate.identity(request.identity)
        let tenant = try self.tenants.tenant(for: context)
        let outcome = try await Convert.engineCall {
            try await self.engine.startMeetingMigration(
                tenant: tenant, identity: identity,
                source: Convert.source(request.sourceMeetingType), target: Convert.target(request.targetMeetingType)
            )
        }
        return StartMeetingMigrationResponse(
            queued: outcome.isQueued,
            reason: outcome.reason?.message ?? "",
            correlationId: outcome.record?.correlationId.rawValue ?? "",
            status: outcome.record.map(Convert.status)
        )
    }

    func getMigrationStatus(_ request: GetMigrationStatusRequest, context: ServerContext) async throws -> GetMigrationStatusResponse {
        let tenant = try self.tenants.tenant(for: context)
        let identity = request.identity.isEmpty ? nil : try Validate.identity(request.identity)
        let start = Convert.date(micros: request.startTimeMicros)
        let end = Convert.date(micros: request.endTimeMicros)
        if let start, let end, start > end {
            throw RPCError(.invalidArgument, "start_time_micros is after end_time_micros: the time window is empty")
        }
        let limit = request.limit == 0 ? StatusQuery.defaultLimit : Int(min(request.limit, 10_000))
        let query = StatusQuery(identity: identity, start: start, end: end, state: Convert.state(request.state), limit: limit)
        if request.summaryOnly {
            let counts = try await Convert.engineCall { try await self.engine.migrationSummary(tenant: tenant, query: query) }
            let summary = MMSCore.MigrationState.allCases.map {
                StateUserCount(state: Convert.state($0), userCount: UInt32(clamping: counts[$0] ?? 0))
            }
            return GetMigrationStatusResponse(summary: summary)
        }
        let records = try await Convert.engineCall { try await self.engine.migrationStatus(tenant: tenant, query: query) }
        return GetMigrationStatusResponse(records: records.map(Convert.status))
    }
}

/// `mms.v1.TenantConfigurationService` (MISSION S3, S4).
struct TenantConfigurationService: TenantConfigurationServiceHandler {
    let engine: MigrationEngine
    let tenants: TenantResolver

    func getTenantMigrationConfiguration(_ request: GetTenantMigrationConfigurationRequest, context: ServerContext) async throws -> TenantMigrationConfiguration {
        let tenant = try self.tenants.tenant(for: context)
        let settings = try await Convert.engineCall { try await self.engine.tenantMigrationConfiguration(tenant: tenant) }
        return TenantMigrationConfiguration(meetingMigrationEnabled: settings.meetingMigrationEnabled)
    }

    func setTenantMigrationConfiguration(_ request: SetTenantMigrationConfigurationRequest, context: ServerContext) async throws -> TenantMigrationConfiguration {
        let tenant = try self.tenants.tenant(for: context)
        guard let configuration = request.configuration else {
            throw RPCError(.invalidArgument, "configuration is missing: set configuration.meeting_migration_enabled")
        }
        let settings = try await Convert.engineCall {
            try await self.engine.setTenantMigrationConfiguration(tenant: tenant, meetingMigrationEnabled: configuration.meetingMigrationEnabled)
        }
        return TenantMigrationConfiguration(meetingMigrationEnabled: settings.meetingMigrationEnabled)
    }

    func getDialInConferencingTenantSettings(_ request: GetDialInConferencingTenantSettingsRequest, context: ServerContext) async throws -> DialInConferencingTenantSettings {
        let tenant = try self.tenants.tenant(for: context)
        let settings = try await Convert.engineCall { try await self.engine.dialInConferencingSettings(tenant: tenant) }
        return DialInConferencingTenantSettings(automaticallyMigrateUserMeetings: settings.automaticallyMigrateUserMeetings)
    }

    func setDialInConferencingTenantSettings(_ request: SetDialInConferencingTenantSettingsRequest, context: ServerContext) async throws -> DialInConferencingTenantSettings {
        let tenant = try self.tenants.tenant(for: context)
        guard let requested = request.settings else {
            throw RPCError(.invalidArgument, "settings is missing: set settings.automatically_migrate_user_meetings")
        }
        let settings = try await Convert.engineCall {
            try await self.engine.setDialInConferencingSettings(tenant: tenant, automaticallyMigrateUserMeetings: requested.automaticallyMigrateUserMeetings)
        }
        return DialInConferencingTenantSettings(automaticallyMigrateUserMeetings: settings.automaticallyMigrateUserMeetings)
    }
}

/// Which tenant a call acts on.
///
/// Until principals and tokens exist, every call acts on one configured tenant.
struct TenantResolver: Sendable {
    let defaultTenant: TenantID

    func tenant(for context: ServerContext) throws -> TenantID {
        self.defaultTenant
    }
}

/// Validation at the edge: bad input is refused with a message that names the field.
enum Validate {
    /// A user principal name: `local@domain`, no spaces, at most 256 characters.
    static func identity(_ identity: String, field: String = "identity") throws -> String {
        let trimmed = identity.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw RPCError(.invalidArgument, "\(field) is empty: give the user's principal name, e.g. ashaw@contoso.com")
        }
        guard trimmed.count <= 256 else {
            throw RPCError(.invalidArgument, "\(field) is \(trimmed.count) characters long; the limit is 256")
        }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !trimmed.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw RPCError(.invalidArgument, "\(field) \"\(identity)\" is not a user principal name like ashaw@contoso.com")
        }
        return trimmed
    }
}
