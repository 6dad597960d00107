import Foundation
import MMSCore
import MMSMessages
import MMSRPC

/// `mms.v1.TenantConfigurationService` (MISSION S3, S4).
struct TenantConfigurationService: TenantConfigurationServiceHandler {
    let engine: MigrationEngine
    let auth: Authenticator
    let audit: Auditor
    let secrets: any SecretStore
    let mail: MailSettingsCalls

    func getTenantMigrationConfiguration(_ request: GetTenantMigrationConfigurationRequest, context: ServerContext) async throws -> TenantMigrationConfiguration {
        let tenant = try Caller.tenant()
        let settings = try await Convert.engineCall { try await self.engine.tenantMigrationConfiguration(tenant: tenant) }
        return self.configuration(settings.meetingMigrationEnabled)
    }

    func setTenantMigrationConfiguration(_ request: SetTenantMigrationConfigurationRequest, context: ServerContext) async throws -> TenantMigrationConfiguration {
        try await self.audit.run(context, target: "") {
            let tenant = try Caller.tenant()
            guard let configuration = request.configuration else {
                throw RPCError(.invalidArgument, "configuration is missing: set configuration.meeting_migration_enabled")
            }
            let settings = try await Convert.engineCall {
                try await self.engine.setTenantMigrationConfiguration(tenant: tenant, meetingMigrationEnabled: configuration.meetingMigrationEnabled)
            }
            return self.configuration(settings.meetingMigrationEnabled)
        }
    }

    /// The tenant's switch and the server's retention (S2), which every tenant can read.
    private func configuration(_ enabled: Bool) -> TenantMigrationConfiguration {
        let retention = self.engine.configuration.statusRetention.components.seconds
        return TenantMigrationConfiguration(meetingMigrationEnabled: enabled, statusRetentionSeconds: retention)
    }

    func getDialInConferencingTenantSettings(_ request: GetDialInConferencingTenantSettingsRequest, context: ServerContext) async throws -> DialInConferencingTenantSettings {
        let tenant = try Caller.tenant()
        let settings = try await Convert.engineCall { try await self.engine.dialInConferencingSettings(tenant: tenant) }
        return DialInConferencingTenantSettings(automaticallyMigrateUserMeetings: settings.automaticallyMigrateUserMeetings)
    }

    func setDialInConferencingTenantSettings(_ request: SetDialInConferencingTenantSettingsRequest, context: ServerContext) async throws -> DialInConferencingTenantSettings {
        try await self.audit.run(context, target: "") {
            let tenant = try Caller.tenant()
            guard let requested = request.settings else {
                throw RPCError(.invalidArgument, "settings is missing: set settings.automatically_migrate_user_meetings")
            }
            let settings = try await Convert.engineCall {
                try await self.engine.setDialInConferencingSettings(tenant: tenant, automaticallyMigrateUserMeetings: requested.automaticallyMigrateUserMeetings)
            }
            return DialInConferencingTenantSettings(automaticallyMigrateUserMeetings: settings.automaticallyMigrateUserMeetings)
        }
    }

    // MARK: Mailbox (issue 17)

    func getMailboxSettings(_ request: GetMailboxSettingsRequest, context: ServerContext) async throws -> MMSMessages.MailboxSettings {
        let tenant = try Caller.tenant()
        let settings = try await Convert.engineCall { try await self.engine.mailboxSettings(tenant: tenant) }
        return try self.message(settings, tenant: tenant)
    }

    func setMailboxSettings(_ request: SetMailboxSettingsRequest, context: ServerContext) async throws -> MMSMessages.MailboxSettings {
        try await self.audit.run(context, target: "") {
            let tenant = try Caller.tenant()
            guard let given = request.settings else { throw RPCError(.invalidArgument, "settings is missing: set settings.type") }
            let settings: MMSCore.MailboxSettings?
            switch given.type {
            case .unspecified:
                throw RPCError(.invalidArgument, "settings.type is missing: MAILBOX_TYPE_BUILT_IN or MAILBOX_TYPE_CALDAV")
            case .builtIn:
                settings = nil
            case .caldav:
                try Validate.rule { try FieldRules.text(request.password, field: "password") }
                if !given.caFile.isEmpty, !FileManager.default.isReadableFile(atPath: given.caFile) {
                    throw RPCError(.invalidArgument, "settings.ca_file \(FieldRules.quoted(given.caFile)) cannot be read by the server: give a PEM file on the server's machine")
                }
                let stored = try self.secrets.secret(SecretName.mailboxPassword(tenant))
                let hasPassword = !request.password.isEmpty || stored != nil
                guard hasPassword else {
                    throw RPCError(.invalidArgument, "password is missing: give the CalDAV service account's password (--password-file)")
                }
                settings = MMSCore.MailboxSettings(
                    tenant: tenant, kind: .calDAV, url: given.url, username: given.username, pathTemplate: given.pathTemplate,
                    caFile: given.caFile, allowInsecureHTTP: given.allowInsecureHttp)
            }
            let saved = try await Convert.engineCall {
                // The fields are checked before the secret is written, so a refused change stores nothing.
                if let settings { _ = try FieldRules.serverURL(settings.url, allowInsecure: settings.allowInsecureHTTP) }
                return try await self.engine.setMailboxSettings(tenant: tenant, settings)
            }
            let name = SecretName.mailboxPassword(tenant)
            if saved == nil {
                try self.secrets.setSecret(nil, for: name)
            } else if !request.password.isEmpty {
                try self.secrets.setSecret(request.password, for: name)
            }
            return try self.message(saved, tenant: tenant)
        }
    }

    func testMailboxSettings(_ request: TestMailboxSettingsRequest, context: ServerContext) async throws -> TestMailboxSettingsResponse {
        let tenant = try Caller.tenant()
        let identity = try Validate.identity(request.identity)
        let organizer = try await Convert.engineCall { try await self.engine.user(tenant: tenant, identity: identity) }
        do {
            let mailbox = try await self.engine.mailboxes.mailbox(for: tenant)
            let report = try await mailbox.test(organizer: organizer, now: Date())
            return TestMailboxSettingsResponse(
                calendars: report.calendars, futureMeetings: UInt32(clamping: report.futureMeetings), unreadable: Array(report.unreadable.prefix(20)))
        } catch let error as MailboxError {
            throw RPCError(.failedPrecondition, error.description)
        }
    }

    /// The API's view: never the password, only whether one is set (R6).
    private func message(_ settings: MMSCore.MailboxSettings?, tenant: TenantID) throws -> MMSMessages.MailboxSettings {
        guard let settings, settings.kind == .calDAV else { return MMSMessages.MailboxSettings(type: .builtIn) }
        return MMSMessages.MailboxSettings(
            type: .caldav, url: settings.url, username: settings.username, pathTemplate: settings.pathTemplate, caFile: settings.caFile,
            allowInsecureHttp: settings.allowInsecureHTTP, passwordSet: try self.secrets.secret(SecretName.mailboxPassword(tenant)) != nil)
    }

    // MARK: Mail (issue 10): authorisation first, then the call.

    func getMailSettings(_ request: GetMailSettingsRequest, context: ServerContext) async throws -> MMSMessages.MailSettings {
        let tenant = try Caller.tenant()
        return try await self.mail.get(tenant)
    }

    func setMailSettings(_ request: SetMailSettingsRequest, context: ServerContext) async throws -> MMSMessages.MailSettings {
        try await self.audit.run(context, target: "") {
            let tenant = try Caller.tenant()
            return try await self.mail.set(tenant, request)
        }
    }

    func testMailSettings(_ request: TestMailSettingsRequest, context: ServerContext) async throws -> TestMailSettingsResponse {
        let tenant = try Caller.tenant()
        return try await self.mail.test(tenant, to: request.to)
    }
}
