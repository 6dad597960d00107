import ArgumentParser
import Foundation
import MMSClient

/// `mms tenant ...`: tenants and their tenant-wide settings.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "Create and list tenants (operators); read and change a tenant's settings (tenant admins).",
        subcommands: [
            Create.self, List.self, MigrationConfig.self, DialInSettings.self, MeetingURL.self, GrantUpgradePolicy.self,
            MailboxCommand.self, Mail.self,
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
                let response = try await session.allPages(\.tenants, next: \.nextPageToken) {
                    try await session.call(AdminServiceMethods.listTenants, ListTenantsRequest(pageToken: $0))
                }
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

// MARK: mms tenant mail (issue 10)

extension TenantCommand {
    /// The tenant's SMTP relay: where invitations go as iMIP e-mail (R5, R6).
    struct Mail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mail",
            abstract: "The tenant's SMTP relay: updated invitations go out through it as iMIP e-mail (R5).",
            discussion: """
                A tenant without mail settings has its invitations recorded by the built-in sender only \
                (nothing is e-mailed). The password is kept in a file only the server's user can read and \
                is never shown again (R6).
                """,
            subcommands: [Set.self, Get.self, Test.self, Remove.self]
        )

        /// `--tls`.
        enum TLSChoice: String, LenientChoice {
            case starttls, tls, none

            var mode: MailTls {
                switch self {
                case .starttls: .starttls
                case .tls: .tls
                case .none: .none
                }
            }
        }

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Set the relay, TLS, credentials, sender address and rate limit (tenant admin).",
                discussion: """
                    --tls none is accepted only for a loopback host (127.0.0.1, ::1, localhost), unless \
                    --allow-insecure is given: otherwise the password and every invitation would cross the \
                    network in clear text. Without --password-file, the password kept (if any) stays. Example:
                      mms tenant mail set --smtp smtp.contoso.com:587 --tls starttls --username mms-relay \
                        --password-file relay-password.txt --sender mms@contoso.com --rate 10
                    """
            )

            @OptionGroup var global: GlobalOptions

            @Option(help: ArgumentHelp("The relay, HOST:PORT (e.g. smtp.contoso.com:587, [::1]:25).", valueName: "host:port"))
            var smtp: String

            @Option(help: ArgumentHelp("starttls (default), tls (TLS from the first byte, port 465) or none.", valueName: "mode"))
            var tls: TLSChoice = .starttls

            @Option(help: ArgumentHelp("The AUTH user name (PLAIN or LOGIN); none when omitted.", valueName: "user"))
            var username: String?

            @Option(help: ArgumentHelp("Read the AUTH password from this file ('-' for standard input); one line.", valueName: "path"))
            var passwordFile: String?

            @Option(help: ArgumentHelp("The service's address: Sender:, MAIL FROM and ORGANIZER;SENT-BY.", valueName: "address"))
            var sender: String

            @Option(help: ArgumentHelp("At most this many messages per second; 0 (default) is no limit.", valueName: "n"))
            var rate: Double = 0

            @Flag(help: "Allow --tls none to a host that is not loopback (clear text on the network).")
            var allowInsecure = false

            func validate() throws {
                guard Self.hostAndPort(smtp) != nil else {
                    throw ValidationError("--smtp \(smtp) is not HOST:PORT (e.g. smtp.contoso.com:587)")
                }
                guard rate >= 0, rate.isFinite else { throw ValidationError("--rate must be 0 (no limit) or a positive number") }
                if passwordFile != nil && username == nil { throw ValidationError("--password-file needs --username") }
            }

            /// `host:port`, `[v6]:port`.
            static func hostAndPort(_ text: String) -> (String, UInt32)? {
                guard let colon = text.lastIndex(of: ":"), let port = UInt32(text[text.index(after: colon)...]),
                    (1...65535).contains(port)
                else { return nil }
                var host = String(text[..<colon])
                if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
                return host.isEmpty ? nil : (host, port)
            }

            func run() async throws {
                var password = ""
                if let passwordFile {
                    let data: Data?
                    data = passwordFile == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                        : FileManager.default.contents(atPath: passwordFile)
                    guard let data, var text = String(data: data, encoding: .utf8) else {
                        throw CommandFailure("cannot read --password-file \(passwordFile)", exitCode: ExitStatus.noInput)
                    }
                    while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
                    guard !text.isEmpty else { throw CommandFailure("--password-file \(passwordFile) is empty", exitCode: ExitStatus.usage) }
                    password = text
                }
                let (host, port) = Self.hostAndPort(smtp)!
                try await Session.run(global) { session in
                    let request = SetMailSettingsRequest(
                        settings: MailSettings(
                            smtpHost: host, smtpPort: port, tls: tls.mode, username: username ?? "", senderAddress: sender,
                            rateLimit: rate, allowInsecure: allowInsecure),
                        password: password, keepPassword: passwordFile == nil && username != nil)
                    let settings = try await session.call(TenantConfigurationServiceMethods.setMailSettings, request)
                    session.print(settings) { Get.text(settings) }
                }
            }
        }

        struct Get: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show the tenant's mail settings (never the password).", discussion: "Example: mms tenant mail get")

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await Session.run(global) { session in
                    let settings = try await session.call(TenantConfigurationServiceMethods.getMailSettings, GetMailSettingsRequest())
                    session.print(settings) { Self.text(settings) }
                }
            }

            static func text(_ settings: MailSettings) -> String {
                guard settings.configured else {
                    return "No mail settings: invitations are recorded by the built-in sender, not e-mailed."
                }
                let host = settings.smtpHost.contains(":") ? "[\(settings.smtpHost)]" : settings.smtpHost
                return TextLayout.list([
                    ("Smtp", "\(host):\(settings.smtpPort)"), ("Tls", MailSettings.tlsName(settings.tls)),
                    ("Username", settings.username), ("PasswordSet", TextLayout.flag(settings.passwordSet)),
                    ("Sender", settings.senderAddress),
                    ("RateLimit", settings.rateLimit == 0 ? "off" : "\(settings.rateLimit) messages/s"),
                    ("AllowInsecure", TextLayout.flag(settings.allowInsecure)),
                ])
            }
        }

        struct Test: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Send one test message through the tenant's relay now (tenant admin).",
                discussion: "Example: mms tenant mail test --to ashaw@contoso.com"
            )

            @OptionGroup var global: GlobalOptions

            @Option(help: ArgumentHelp("Who gets the test message.", valueName: "address"))
            var to: String

            func run() async throws {
                try await Session.run(global) { session in
                    let response = try await session.call(TenantConfigurationServiceMethods.testMailSettings, TestMailSettingsRequest(to: to))
                    session.print(response) { TextLayout.list([("To", to), ("Reply", response.reply)]) }
                }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Remove the tenant's mail settings and password (invitations go back to the built-in sender).",
                discussion: "Example: mms tenant mail remove"
            )

            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await Session.run(global) { session in
                    let settings = try await session.call(TenantConfigurationServiceMethods.setMailSettings, SetMailSettingsRequest(remove: true))
                    session.print(settings) { Get.text(settings) }
                }
            }
        }
    }
}

extension MailSettings: JSONPrintable {
    var json: JSONValue {
        .object([
            "configured": .bool(configured), "smtp_host": .string(smtpHost), "smtp_port": .integer(smtpPort),
            "tls": .string(Self.tlsName(tls)), "username": .string(username), "password_set": .bool(passwordSet),
            "sender_address": .string(senderAddress), "rate_limit": .number(rateLimit == rateLimit.rounded() && abs(rateLimit) < 1e15 ? String(Int64(rateLimit)) : String(rateLimit)), "allow_insecure": .bool(allowInsecure),
        ])
    }

    static func tlsName(_ tls: MailTls) -> String {
        switch tls {
        case .unspecified, .starttls: "starttls"
        case .tls: "tls"
        case .none: "none"
        }
    }
}

extension TestMailSettingsResponse: JSONPrintable {
    var json: JSONValue { .object(["reply": .string(reply)]) }
}
