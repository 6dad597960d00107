/// A change to one user made through the directory: the triggers and non-triggers of MISSION.md.
public enum DirectoryChange: Sendable, Hashable {
    /// `Move-CsUser`: move the account to `homing` (T1 to online; L2 back to on-premises).
    case moveUser(to: Homing)
    /// Assign (`true`) or remove (`false`) the Microsoft audio-conferencing licence (T2).
    case setAudioConferencingLicence(Bool)
    /// Change the audio-conferencing provider (T2 when it becomes Microsoft and the user is licensed).
    case setAudioConferencingProvider(AudioConferencingProvider)
    /// Enable (`true`) or disable (`false`) audio conferencing for the user (T2).
    case setAudioConferencingEnabled(Bool)
    /// Change the user's conference id to the given one, or reset it (`nil`: a new one is allocated) (T2).
    case changeConferenceId(String?)
    /// Move the user to another audio-conferencing bridge (T2).
    case moveToBridge(BridgeID)
    /// `Grant-CsTeamsUpgradePolicy` to this user (T3).
    case grantTeamsUpgradePolicy(TeamsUpgradeMode, migrateMeetingsToTeams: Bool)
    /// Change the user's SIP address (N1: not a trigger).
    case changeSipAddress(String)
    /// `Start-CsExMeetingMigration` (T4).
    case startMigration(source: SourceMeetingType, target: TargetMeetingType)
    /// A phone number of the user's bridge that their invitations carry was unassigned (T2).
    case bridgeNumberUnassigned(String)

    /// Whether this is an audio-conferencing change, governed by S4.
    public var isAudioConferencingChange: Bool {
        switch self {
        case .setAudioConferencingLicence, .setAudioConferencingProvider, .setAudioConferencingEnabled,
            .changeConferenceId, .moveToBridge, .bridgeNumberUnassigned:
            true
        case .moveUser, .grantTeamsUpgradePolicy, .changeSipAddress, .startMigration:
            false
        }
    }

    /// The name of the rule or cmdlet, for records and messages.
    public var triggerName: String {
        switch self {
        case .moveUser: "T1 Move-CsUser"
        case .setAudioConferencingLicence(let on): on ? "T2 licence assigned" : "T2 licence removed"
        case .setAudioConferencingProvider: "T2 provider changed to Microsoft"
        case .setAudioConferencingEnabled(let on): on ? "T2 audio conferencing enabled" : "T2 audio conferencing disabled"
        case .changeConferenceId(let id): id == nil ? "T2 conference id reset" : "T2 conference id changed"
        case .moveToBridge: "T2 moved to another bridge"
        case .grantTeamsUpgradePolicy(let mode, _): "T3 TeamsUpgradePolicy \(mode.cmdletName)"
        case .changeSipAddress: "N1 SIP address change"
        case .startMigration: "T4 Start-CsExMeetingMigration"
        case .bridgeNumberUnassigned(let number): "T2 bridge number \(number) unassigned"
        }
    }
}

/// What a directory change means for migrations, decided by ``TriggerPolicy``.
public enum TriggerDecision: Sendable, Hashable {
    /// Save the changed user and enqueue (or merge) a migration with this scope.
    case enqueue(MigrationScope)
    /// Save the changed user; no migration, for this reason.
    case noMigration(NotQueuedReason)
    /// Change nothing and queue nothing, for this reason (a limitation, an invalid grant).
    case refuse(NotQueuedReason)
}
