import ArgumentParser
import MMSClient

/// A command-line value chosen from a fixed list, matched without regard to case, `-` or `_`
/// (`in-progress`, `InProgress` and `in_progress` are the same state).
protocol LenientChoice: RawRepresentable<String>, CaseIterable, ExpressibleByArgument {}

extension LenientChoice {
    init?(argument: String) {
        func normalized(_ text: String) -> String { text.lowercased().filter { $0 != "-" && $0 != "_" } }
        guard let match = Self.allCases.first(where: { normalized($0.rawValue) == normalized(argument) }) else { return nil }
        self = match
    }
}

/// `--role`: the role of a new token.
enum RoleChoice: String, LenientChoice {
    case admin, reader, `operator`

    var role: Role {
        switch self {
        case .admin: .tenantAdmin
        case .reader: .tenantReader
        case .operator: .operator
        }
    }
}

/// `--state`: a migration state filter (S1).
enum StateChoice: String, LenientChoice {
    case pending, inProgress = "in-progress", failed, succeeded

    var state: MigrationState {
        switch self {
        case .pending: .pending
        case .inProgress: .inProgress
        case .failed: .failed
        case .succeeded: .succeeded
        }
    }
}

/// `--source-meeting-type` of Start-CsExMeetingMigration (T4).
enum SourceChoice: String, LenientChoice {
    case all, sfb, teams

    var value: SourceMeetingType {
        switch self {
        case .all: .all
        case .sfb: .sfb
        case .teams: .teams
        }
    }
}

/// `--target-meeting-type` of Start-CsExMeetingMigration (T4).
enum TargetChoice: String, LenientChoice {
    case current, teams

    var value: TargetMeetingType { self == .current ? .current : .teams }
}

/// `--to` of Move-CsUser (T1, L2).
enum MoveDestinationChoice: String, LenientChoice {
    case cloud, onPremises = "on-premises"

    var homing: Homing { self == .cloud ? .online : .onPremises }
}

/// `--homing` of a new user.
enum HomingChoice: String, LenientChoice {
    case online, onPremises = "on-premises"

    var homing: Homing { self == .online ? .online : .onPremises }
}

/// `--mailbox` of a new user (L1).
enum MailboxChoice: String, LenientChoice {
    case online, onPremises = "on-premises"

    var mailbox: MailboxLocation { self == .online ? .online : .onPremisesExchange }
}

/// `--provider`: the audio-conferencing provider.
enum ProviderChoice: String, LenientChoice {
    case microsoft, thirdParty = "third-party"

    var provider: AudioConferencingProvider { self == .microsoft ? .microsoft : .thirdParty }
}

/// `--mode` of Grant-CsTeamsUpgradePolicy (T3), spelled as the cmdlet spells it.
enum UpgradeModeChoice: String, LenientChoice {
    case teamsOnly = "TeamsOnly"
    case sfbWithTeamsCollabAndMeetings = "SfBWithTeamsCollabAndMeetings"
    case islands = "Islands"
    case sfbOnly = "SfBOnly"
    case sfbWithTeamsCollab = "SfBWithTeamsCollab"

    var mode: TeamsUpgradeMode {
        switch self {
        case .teamsOnly: .teamsOnly
        case .sfbWithTeamsCollabAndMeetings: .sfbWithTeamsCollabAndMeetings
        case .islands: .islands
        case .sfbOnly: .sfbOnly
        case .sfbWithTeamsCollab: .sfbWithTeamsCollab
        }
    }
}

/// `--format` of a meeting body.
enum BodyFormatChoice: String, LenientChoice {
    case html, text

    var format: BodyFormat { self == .html ? .html : .plainText }
}

/// `--kind` of a meeting.
enum MeetingKindChoice: String, LenientChoice {
    case teams, skypeOnline = "skype-online", skypeOnPremises = "skype-on-premises"

    var kind: MeetingKind {
        switch self {
        case .teams: .teams
        case .skypeOnline: .skypeOnline
        case .skypeOnPremises: .skypeOnPremises
        }
    }
}

/// `--number +13238867531="United States, Los Angeles (Toll)"`: a bridge's dial-in number and its label.
struct DialInNumberArgument: ExpressibleByArgument {
    let number: DialInNumber

    init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let number = parts[0].trimmingCharacters(in: .whitespaces)
        guard !number.isEmpty else { return nil }
        self.number = DialInNumber(number: number, label: parts.count > 1 ? String(parts[1]) : "")
    }
}
