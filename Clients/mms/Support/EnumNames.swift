import MMSClient

/// The names `mms` prints for the API's enums: lower-case snake case in JSON
/// (`in_progress`, from `MIGRATION_STATE_IN_PROGRESS`), the cmdlets' PascalCase in tables (`InProgress`).
protocol NamedProtoEnum {
    /// The value's name in the .proto file, e.g. `MIGRATION_STATE_IN_PROGRESS`.
    var protoName: String { get }
    /// The prefix every value of the enum shares, e.g. `MIGRATION_STATE_`.
    static var protoPrefix: String { get }
}

extension NamedProtoEnum {
    /// The name in JSON: the proto name without its prefix, in lower case (`in_progress`).
    var jsonName: String {
        String(protoName.dropFirst(Self.protoPrefix.count)).lowercased()
    }

    /// The name in tables: the JSON name in PascalCase (`InProgress`).
    var displayName: String {
        jsonName.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    var json: JSONValue { .string(jsonName) }
}

extension MigrationState: NamedProtoEnum { static var protoPrefix: String { "MIGRATION_STATE_" } }
extension MigrationType: NamedProtoEnum { static var protoPrefix: String { "MIGRATION_TYPE_" } }
extension SourceMeetingType: NamedProtoEnum { static var protoPrefix: String { "SOURCE_MEETING_TYPE_" } }
extension TargetMeetingType: NamedProtoEnum { static var protoPrefix: String { "TARGET_MEETING_TYPE_" } }
extension Role: NamedProtoEnum { static var protoPrefix: String { "ROLE_" } }
extension Homing: NamedProtoEnum { static var protoPrefix: String { "HOMING_" } }
extension MailboxLocation: NamedProtoEnum { static var protoPrefix: String { "MAILBOX_LOCATION_" } }
extension AudioConferencingProvider: NamedProtoEnum { static var protoPrefix: String { "AUDIO_CONFERENCING_PROVIDER_" } }
extension MeetingKind: NamedProtoEnum { static var protoPrefix: String { "MEETING_KIND_" } }
extension BodyFormat: NamedProtoEnum { static var protoPrefix: String { "BODY_FORMAT_" } }
extension MeetingOutcome: NamedProtoEnum { static var protoPrefix: String { "MEETING_OUTCOME_" } }
extension ServingStatus: NamedProtoEnum { static var protoPrefix: String { "SERVING_STATUS_" } }

extension TeamsUpgradeMode: NamedProtoEnum {
    static var protoPrefix: String { "TEAMS_UPGRADE_MODE_" }

    /// The mode as Grant-CsTeamsUpgradePolicy spells it (`SfBWithTeamsCollab`), empty when none is granted.
    var cmdletName: String {
        switch self {
        case .unspecified: ""
        case .islands: "Islands"
        case .sfbOnly: "SfBOnly"
        case .sfbWithTeamsCollab: "SfBWithTeamsCollab"
        case .sfbWithTeamsCollabAndMeetings: "SfBWithTeamsCollabAndMeetings"
        case .teamsOnly: "TeamsOnly"
        }
    }
}
