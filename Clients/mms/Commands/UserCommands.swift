import ArgumentParser
import MMSClient

/// Runs one directory change and prints whether it queued a migration, and if not, why.
/// A refused change (nothing applied: L1, L2, TeamsOnly on-premises) then exits 3.
func runDirectoryChange(
    _ global: GlobalOptions, subject: String,
    _ call: @escaping @Sendable (Session) async throws -> DirectoryChangeResponse
) async throws {
    try await Session.run(global) { session in
        let response = try await call(session)
        session.print(response) { TextViews.change(response, subject: subject) }
        if response.isRefusal { throw CommandFailure.refused(response.reason) }
    }
}

extension DirectoryChangeResponse {
    /// Whether the server refused the change: it applied nothing and queued nothing. Setting a
    /// value the user already has (`nothingChanged`) is not a refusal, and neither is a change
    /// applied without a migration (not a trigger, S3 or S4 off).
    var isRefusal: Bool {
        !queued && !changeApplied && reasonCode != "nothingChanged"
    }
}

/// `mms user ...`: users and the directory changes that trigger migrations (T1, T2, T3, N1, L1, L2).
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Create and read users; make the directory changes that do (or do not) migrate their meetings.",
        subcommands: [
            Create.self, Get.self, List.self, Move.self, GrantUpgradePolicy.self, AudioConferencingCommand.self, ChangeSIP.self,
        ]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user in the tenant's directory.",
            discussion: """
                Examples:
                  mms user create --identity ashaw@contoso.com --homing on-premises --audio-conferencing-licensed \\
                    --audio-conferencing-enabled --bridge-id bridge-us --conference-id 291633251
                  mms user create --identity onprem-mailbox@contoso.com --mailbox on-premises
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The user's principal name, e.g. ashaw@contoso.com.", valueName: "upn"))
        var identity: String

        @Option(help: ArgumentHelp("sip:user@domain (default: sip:<identity>).", valueName: "sip-address"))
        var sipAddress: String = ""

        @Option(help: ArgumentHelp("Where the user is homed: online (default) or on-premises.", valueName: "where"))
        var homing: HomingChoice = .online

        @Option(help: ArgumentHelp("Where the mailbox is: online (default) or on-premises (Exchange on-premises: migrations are refused, L1).", valueName: "where"))
        var mailbox: MailboxChoice = .online

        @Flag(help: "The user has an audio-conferencing licence.")
        var audioConferencingLicensed = false

        @Flag(help: "Audio conferencing is enabled for the user.")
        var audioConferencingEnabled = false

        @Option(help: ArgumentHelp("The audio-conferencing provider: microsoft (default) or third-party.", valueName: "provider"))
        var provider: ProviderChoice = .microsoft

        @Option(help: ArgumentHelp("The user's audio-conferencing bridge (see mms bridge save).", valueName: "bridge-id"))
        var bridgeId: String = ""

        @Option(help: ArgumentHelp("The user's conference id, digits only.", valueName: "digits"))
        var conferenceId: String = ""

        @Option(help: ArgumentHelp("A TeamsUpgradePolicy already granted: TeamsOnly, SfBWithTeamsCollabAndMeetings, Islands, SfBOnly or SfBWithTeamsCollab.", valueName: "mode"))
        var teamsUpgradeMode: UpgradeModeChoice?

        func run() async throws {
            try await Session.run(global) { session in
                let user = User(
                    userPrincipalName: identity, sipAddress: sipAddress, homing: homing.homing, mailbox: mailbox.mailbox,
                    teamsUpgradeMode: teamsUpgradeMode?.mode ?? .unspecified, audioConferencingLicensed: audioConferencingLicensed,
                    audioConferencingProvider: provider.provider, audioConferencingEnabled: audioConferencingEnabled,
                    bridgeId: bridgeId, conferenceId: conferenceId)
                let created = try await session.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: user))
                session.print(created) { TextViews.user(created) }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one user.", discussion: "Example: mms user get --identity ashaw@contoso.com")

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The user's principal name.", valueName: "upn"))
        var identity: String

        func run() async throws {
            try await Session.run(global) { session in
                let user = try await session.call(DirectoryServiceMethods.getUser, GetUserRequest(identity: identity))
                session.print(user) { TextViews.user(user) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenant's users, by principal name.", discussion: "Example: mms user list")

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("At most this many users (default 1000), fetched page by page.", valueName: "count"))
        var limit: UInt32 = 0

        func run() async throws {
            try await Session.run(global) { session in
                let wanted = limit == 0 ? 1000 : Int(limit)
                let response = try await session.allPages(\.users, next: \.nextPageToken, limit: wanted) {
                    try await session.call(DirectoryServiceMethods.listUsers, ListUsersRequest(pageSize: UInt32(min(wanted, 1000)), pageToken: $0))
                }
                session.print(response) { TextViews.users(response.users) }
            }
        }
    }

    /// Move-CsUser (T1, L2).
    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move-CsUser: move a user to the cloud (T1: their meetings become Teams meetings) or back on-premises (refused, L2).",
            discussion: "Example: mms user move --identity ashaw@contoso.com --to cloud"
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The user's principal name.", valueName: "upn"))
        var identity: String

        @Option(help: ArgumentHelp("cloud or on-premises.", valueName: "where"))
        var to: MoveDestinationChoice

        func run() async throws {
            let request = MoveUserRequest(identity: identity, to: to.homing)
            try await runDirectoryChange(global, subject: identity) { try await $0.call(DirectoryServiceMethods.moveUser, request) }
        }
    }

    /// Grant-CsTeamsUpgradePolicy -Identity (T3).
    struct GrantUpgradePolicy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grant-upgrade-policy",
            abstract: "Grant-CsTeamsUpgradePolicy to one user (T3).",
            discussion: """
                TeamsOnly and SfBWithTeamsCollabAndMeetings migrate the user's meetings to Teams, unless \
                --migrate-meetings-to-teams false. TeamsOnly needs a user homed online. Other modes never \
                turn Teams meetings back into Skype meetings. Example:
                  mms user grant-upgrade-policy --identity ashaw@contoso.com --mode TeamsOnly
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The user's principal name.", valueName: "upn"))
        var identity: String

        @Option(help: ArgumentHelp("TeamsOnly, SfBWithTeamsCollabAndMeetings, Islands, SfBOnly or SfBWithTeamsCollab.", valueName: "mode"))
        var mode: UpgradeModeChoice

        @Option(help: ArgumentHelp("-MigrateMeetingsToTeams: true (default) or false.", valueName: "bool"))
        var migrateMeetingsToTeams: Bool = true

        func run() async throws {
            let request = GrantTeamsUpgradePolicyRequest(identity: identity, mode: mode.mode, skipMeetingMigration: !migrateMeetingsToTeams)
            try await runDirectoryChange(global, subject: identity) { try await $0.call(DirectoryServiceMethods.grantTeamsUpgradePolicy, request) }
        }
    }

    /// A SIP address change (N1).
    struct ChangeSIP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "change-sip",
            abstract: "Change a user's SIP address (user name or domain); not a trigger (N1).",
            discussion: "Example: mms user change-sip --identity ashaw@contoso.com --sip-address sip:amy.shaw@contoso.com"
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The user's principal name.", valueName: "upn"))
        var identity: String

        @Option(help: ArgumentHelp("The new address, sip:user@domain.", valueName: "sip-address"))
        var sipAddress: String

        func run() async throws {
            let request = ChangeSipAddressRequest(identity: identity, sipAddress: sipAddress)
            try await runDirectoryChange(global, subject: identity) { try await $0.call(DirectoryServiceMethods.changeSipAddress, request) }
        }
    }
}

/// `mms user audio-conferencing ...`: the audio-conferencing changes of T2.
struct AudioConferencingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audio-conferencing",
        abstract: "Audio-conferencing changes (T2): each migrates the user's meetings unless the tenant turned that off (S4).",
        subcommands: [Licence.self, Provider.self, Enable.self, Disable.self, ConferenceID.self, MoveBridge.self]
    )

    struct Licence: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign or remove the audio-conferencing licence (no migration for a third-party provider).",
            discussion: "Example: mms user audio-conferencing licence --identity ashaw@contoso.com --assigned true"
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The user's principal name.", valueName: "upn")) var identity: String
        @Option(help: ArgumentHelp("true (assign) or false (remove).", valueName: "bool")) var assigned: Bool

        func run() async throws {
            let request = SetAudioConferencingLicenceRequest(identity: identity, licensed: assigned)
            try await runDirectoryChange(global, subject: identity) { try await $0.call(DirectoryServiceMethods.setAudioConferencingLicence, request) }
        }
    }

    struct Provider: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change the audio-conferencing provider (a change to Microsoft, with a licence, migrates).",
            discussion: "Example: mms user audio-conferencing provider --identity ashaw@contoso.com --provider microsoft"
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The user's principal name.", valueName: "upn")) var identity: String
        @Option(help: ArgumentHelp("microsoft or third-party.", valueName: "provider")) var provider: ProviderChoice

        func run() async throws {
            let request = SetAudioConferencingProviderRequest(identity: identity, provider: provider.provider)
            try await runDirectoryChange(global, subject: identity) { try await $0.call(DirectoryServiceMethods.setAudioConferencingProvider, request) }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable audio conferencing for the user.",
            discussion: "Example: mms user audio-conferencing enable --identity ashaw@contoso.com"
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The user's principal name.", valueName: "upn")) var identity: String

        func run() async throws {
            let request = SetAudioConferencingEnabledRequest(identity: identity, enabled: true)
            try await runDirectoryChange(global, subject: identity) { try await $0.call(DirectoryServiceMethods.setAudioConferencingEnabled, request) }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable audio conferencing for the user.",
            discussion: "Example: mms user audio-conferencing disable --identity ashaw@contoso.com"
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The user's principal name.", valueName: "upn")) var identity: String

        func run() async throws {
            let request = SetAudioConferencingEnabledRequest(identity: identity, enabled: false)
            try await runDirectoryChange(global, subject: identity) { try await $0.call(DirectoryServiceMethods.setAudioConferencingEnabled, request) }
        }
    }

    struct ConferenceID: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "conference-id",
            abstract: "Change the user's conference id, or reset it to a fresh one.",
            discussion: """
                Examples:
                  mms user audio-conferencing conference-id --identity ashaw@contoso.com --set 555123456
                  mms user audio-conferencing conference-id --identity ashaw@contoso.com --reset
                """
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The user's principal name.", valueName: "upn")) var identity: String
        @Option(name: .customLong("set"), help: ArgumentHelp("The new conference id, digits only.", valueName: "digits")) var newId: String?
        @Flag(help: "Give the user a fresh conference id on their bridge.") var reset = false

        func validate() throws {
            guard (newId != nil) != reset else { throw ValidationError("give exactly one of --set and --reset") }
            if let newId, newId.isEmpty { throw ValidationError("--set needs digits; use --reset for a fresh conference id") }
        }

        func run() async throws {
            let request = ChangeConferenceIdRequest(identity: identity, conferenceId: newId ?? "")
            try await runDirectoryChange(global, subject: identity) { try await $0.call(DirectoryServiceMethods.changeConferenceId, request) }
        }
    }

    struct MoveBridge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "move-bridge",
            abstract: "Move the user to another audio-conferencing bridge (they get a fresh conference id there).",
            discussion: "Example: mms user audio-conferencing move-bridge --identity ashaw@contoso.com --bridge-id bridge-fr"
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The user's principal name.", valueName: "upn")) var identity: String
        @Option(help: ArgumentHelp("The bridge to move to (see mms bridge list).", valueName: "bridge-id")) var bridgeId: String

        func run() async throws {
            let request = MoveUserToBridgeRequest(identity: identity, bridgeId: bridgeId)
            try await runDirectoryChange(global, subject: identity) { try await $0.call(DirectoryServiceMethods.moveUserToBridge, request) }
        }
    }
}
