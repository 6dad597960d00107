/// The names an administrator knows values by: the PowerShell cmdlets' spellings, used in
/// every message the service writes (issue 9: "Islands", not "islands").
extension TeamsUpgradeMode {
    /// The mode as `Grant-CsTeamsUpgradePolicy` spells it, e.g. `SfBWithTeamsCollabAndMeetings`.
    public var cmdletName: String {
        switch self {
        case .islands: "Islands"
        case .skypeForBusinessOnly: "SfBOnly"
        case .skypeForBusinessWithTeamsCollab: "SfBWithTeamsCollab"
        case .skypeForBusinessWithTeamsCollabAndMeetings: "SfBWithTeamsCollabAndMeetings"
        case .teamsOnly: "TeamsOnly"
        }
    }
}

extension Homing {
    /// `online` or `on-premises`, as `Move-CsUser` describes the two sides.
    public var displayName: String { self == .online ? "online" : "on-premises" }
}

extension AudioConferencingProvider {
    /// `Microsoft` or `third-party`.
    public var displayName: String { self == .microsoft ? "Microsoft" : "third-party" }
}

extension MeetingKind {
    /// The conferencing service by its product name.
    public var displayName: String {
        switch self {
        case .teams: "Teams"
        case .skypeOnline: "Skype for Business Online"
        case .skypeOnPremises: "Skype for Business Server (on-premises)"
        }
    }
}
