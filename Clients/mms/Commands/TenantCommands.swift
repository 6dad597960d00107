import ArgumentParser
import MMSClient

/// `mms tenant ...`: tenants and their tenant-wide settings.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "Create and list tenants (operators); read and change a tenant's settings (tenant admins).",
        subcommands: [
            Create.self, List.self, MigrationConfig.self, DialInSettings.self, MeetingURL.self, GrantUpgradePolicy.self, MailboxCommand.self,
        ]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a tenant (operator token).",
            discussion: "Example: mms tenant create --tenant-id contoso --display-name \"Contoso Ltd\""
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The tenant's id: 1 to 63 lower-case letters, digits or '-'.", valueName: "tenant-id"))
        var tenantId: String

        @Option(help: ArgumentHelp("A name for people.", valueName: "name"))
        var displayName: String = ""

        func run() async throws {
            try await Session.run(global) { session in
                let tenant = try await session.call(AdminServiceMethods.createTenant, CreateTenantRequest(tenantId: tenantId, displayName: displayName))
                session.print(tenant) {
                    TextLayout.list([
                        "TenantId": tenant.tenantId, "DisplayName": tenant.displayName,
                        "CreateDate": TimeText.table(micros: tenant.createDateMicros),
                    ])
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants (operator token).", discussion: "Example: mms tenant list")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await Session.run(global) { session in
                let response = try await session.call(AdminServiceMethods.listTenants, ListTenantsRequest())
                session.print(response) { TextViews.tenants(response.tenants) }
            }
        }
    }

    /// Get/Set-CsTenantMigrationConfiguration (S3).
    struct MigrationConfig: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migration-config",
            abstract: "Get-/Set-CsTenantMigrationConfiguration: whether meeting migration is enabled for the tenant (S3).",
            subcommands: [Get.self, Set.self]
        )

        struct Get: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show MeetingMigrationEnabled.", discussion: "Example: mms tenant migration-config get")

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await Session.run(global) { session in
                    let configuration = try await session.call(
                        TenantConfigurationServiceMethods.getTenantMigrationConfiguration, GetTenantMigrationConfigurationRequest())
                    session.print(configuration) { Self.text(configuration) }
                }
            }

            static func text(_ configuration: TenantMigrationConfiguration) -> String {
                TextLayout.list([
                    "MeetingMigrationEnabled": TextLayout.flag(configuration.meetingMigrationEnabled),
                    // S2: how long finished status records are kept (server-wide, mms-server --status-retention).
                    "StatusRetention": Self.duration(seconds: configuration.statusRetentionSeconds),
                ])
            }

            /// `150d`, `2h30m`, `45s`: as mms-server's durations are written.
            static func duration(seconds: Int64) -> String {
                guard seconds > 0 else { return "0" }
                var rest = seconds
                var text = ""
                for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
                    text += "\(rest / size)\(unit)"
                    rest %= size
                }
                return text
            }
        }

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Turn meeting migration on or off for the tenant.",
                discussion: """
                    Off means no change triggers a migration for the tenant, and mms migration start is \
                    refused too (S3). Example: mms tenant migration-config set --meeting-migration-enabled false
                    """
            )

            @OptionGroup var global: GlobalOptions

            @Option(help: ArgumentHelp("true or false.", valueName: "bool"))
            var meetingMigrationEnabled: Bool

            func run() async throws {
                try await Session.run(global) { session in
                    let request = SetTenantMigrationConfigurationRequest(
                        configuration: TenantMigrationConfiguration(meetingMigrationEnabled: meetingMigrationEnabled))
                    let configuration = try await session.call(TenantConfigurationServiceMethods.setTenantMigrationConfiguration, request)
                    session.print(configuration) { Get.text(configuration) }
                }
            }
        }
    }

    /// Get/Set-CsOnlineDialInConferencingTenantSettings (S4).
    struct DialInSettings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dialin-settings",
            abstract: "Get-/Set-CsOnlineDialInConferencingTenantSettings: whether audio-conferencing changes migrate meetings (S4).",
            subcommands: [Get.self, Set.self]
        )

        struct Get: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show AutomaticallyMigrateUserMeetings.", discussion: "Example: mms tenant dialin-settings get")

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await Session.run(global) { session in
                    let settings = try await session.call(
                        TenantConfigurationServiceMethods.getDialInConferencingTenantSettings, GetDialInConferencingTenantSettingsRequest())
                    session.print(settings) { Self.text(settings) }
                }
            }

            static func text(_ settings: DialInConferencingTenantSettings) -> String {
                TextLayout.list(["AutomaticallyMigrateUserMeetings": TextLayout.flag(settings.automaticallyMigrateUserMeetings)])
            }
        }

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Turn automatic migration after audio-conferencing changes on or off.",
                discussion: """
                    Off means audio-conferencing changes (T2) no longer migrate meetings, while moves (T1), \
                    upgrade policies (T3) and mms migration start (T4) still do. Example:
                      mms tenant dialin-settings set --automatically-migrate-user-meetings false
                    """
            )

            @OptionGroup var global: GlobalOptions

            @Option(help: ArgumentHelp("true or false.", valueName: "bool"))
            var automaticallyMigrateUserMeetings: Bool

            func run() async throws {
                try await Session.run(global) { session in
                    let request = SetDialInConferencingTenantSettingsRequest(
                        settings: DialInConferencingTenantSettings(automaticallyMigrateUserMeetings: automaticallyMigrateUserMeetings))
                    let settings = try await session.call(TenantConfigurationServiceMethods.setDialInConferencingTenantSettings, request)
                    session.print(settings) { Get.text(settings) }
                }
            }
        }
    }

    /// Update-CsTenantMeetingUrl (N2).
    struct MeetingURL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "meeting-url",
            abstract: "Update-CsTenantMeetingUrl: the host of the tenant's meeting URLs (not a trigger, N2).",
            subcommands: [Set.self]
        )

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Change the host of the tenant's meeting URLs; no migration is queued (N2).",
                discussion: "Example: mms tenant meeting-url set --host meet.contoso.com"
            )

            @OptionGroup var global: GlobalOptions

            @Option(help: ArgumentHelp("The new host, e.g. meet.contoso.com.", valueName: "host"))
            var host: String

            func run() async throws {
                try await Session.run(global) { session in
                    let response = try await session.call(DirectoryServiceMethods.updateTenantMeetingUrl, UpdateTenantMeetingUrlRequest(host: host))
                    session.print(response) { TextViews.change(response, subject: "the tenant") }
                    if response.isRefusal { throw CommandFailure.refused(response.reason) }
                }
            }
        }
    }

    /// Grant-CsTeamsUpgradePolicy -Global (T3: never a trigger).
    struct GrantUpgradePolicy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grant-upgrade-policy",
            abstract: "Grant a TeamsUpgradePolicy to the whole tenant (a tenant-wide grant never migrates meetings, T3).",
            discussion: "Example: mms tenant grant-upgrade-policy --mode TeamsOnly"
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("TeamsOnly, SfBWithTeamsCollabAndMeetings, Islands, SfBOnly or SfBWithTeamsCollab.", valueName: "mode"))
        var mode: UpgradeModeChoice

        @Option(help: ArgumentHelp("-MigrateMeetingsToTeams: true (default) or false.", valueName: "bool"))
        var migrateMeetingsToTeams: Bool = true

        func run() async throws {
            try await Session.run(global) { session in
                let request = GrantTenantTeamsUpgradePolicyRequest(mode: mode.mode, skipMeetingMigration: !migrateMeetingsToTeams)
                let response = try await session.call(DirectoryServiceMethods.grantTenantTeamsUpgradePolicy, request)
                session.print(response) { TextViews.change(response, subject: "the tenant") }
                if response.isRefusal { throw CommandFailure.refused(response.reason) }
            }
        }
    }
}
