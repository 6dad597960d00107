import MMSCore
import MMSMessages
import MMSRPC

/// `mms.v1.TenantConfigurationService` (MISSION S3, S4).
struct TenantConfigurationService: TenantConfigurationServiceHandler {
    let engine: MigrationEngine
    let auth: Authenticator
    let mail: MailSettingsCalls

    func getTenantMigrationConfiguration(_ request: GetTenantMigrationConfigurationRequest, context: ServerContext) async throws -> TenantMigrationConfiguration {
        let tenant = try self.auth.tenant(.tenantRead, context)
        let settings = try await Convert.engineCall { try await self.engine.tenantMigrationConfiguration(tenant: tenant) }
        return self.configuration(settings.meetingMigrationEnabled)
    }

    func setTenantMigrationConfiguration(_ request: SetTenantMigrationConfigurationRequest, context: ServerContext) async throws -> TenantMigrationConfiguration {
        let tenant = try self.auth.tenant(.tenantWrite, context)
        guard let configuration = request.configuration else {
            throw RPCError(.invalidArgument, "configuration is missing: set configuration.meeting_migration_enabled")
        }
        let settings = try await Convert.engineCall {
            try await self.engine.setTenantMigrationConfiguration(tenant: tenant, meetingMigrationEnabled: configuration.meetingMigrationEnabled)
        }
        return self.configuration(settings.meetingMigrationEnabled)
    }

    /// The tenant's switch and the server's retention (S2), which every tenant can read.
    private func configuration(_ enabled: Bool) -> TenantMigrationConfiguration {
        let retention = self.engine.configuration.statusRetention.components.seconds
        return TenantMigrationConfiguration(meetingMigrationEnabled: enabled, statusRetentionSeconds: retention)
    }

    func getDialInConferencingTenantSettings(_ request: GetDialInConferencingTenantSettingsRequest, context: ServerContext) async throws -> DialInConferencingTenantSettings {
        let tenant = try self.auth.tenant(.tenantRead, context)
        let settings = try await Convert.engineCall { try await self.engine.dialInConferencingSettings(tenant: tenant) }
        return DialInConferencingTenantSettings(automaticallyMigrateUserMeetings: settings.automaticallyMigrateUserMeetings)
    }

    func setDialInConferencingTenantSettings(_ request: SetDialInConferencingTenantSettingsRequest, context: ServerContext) async throws -> DialInConferencingTenantSettings {
        let tenant = try self.auth.tenant(.tenantWrite, context)
        guard let requested = request.settings else {
            throw RPCError(.invalidArgument, "settings is missing: set settings.automatically_migrate_user_meetings")
        }
        let settings = try await Convert.engineCall {
            try await self.engine.setDialInConferencingSettings(tenant: tenant, automaticallyMigrateUserMeetings: requested.automaticallyMigrateUserMeetings)
        }
        return DialInConferencingTenantSettings(automaticallyMigrateUserMeetings: settings.automaticallyMigrateUserMeetings)
    }

    // MARK: Mail (issue 10): authorisation first, then the call.

    func getMailSettings(_ request: GetMailSettingsRequest, context: ServerContext) async throws -> MMSMessages.MailSettings {
        let tenant = try self.auth.tenant(.tenantRead, context)
        return try await self.mail.get(tenant)
    }

    func setMailSettings(_ request: SetMailSettingsRequest, context: ServerContext) async throws -> MMSMessages.MailSettings {
        let tenant = try self.auth.tenant(.tenantWrite, context)
        return try await self.mail.set(tenant, request)
    }

    func testMailSettings(_ request: TestMailSettingsRequest, context: ServerContext) async throws -> TestMailSettingsResponse {
        let tenant = try self.auth.tenant(.tenantWrite, context)
        return try await self.mail.test(tenant, to: request.to)
    }
}
