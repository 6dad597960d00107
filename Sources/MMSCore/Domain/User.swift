/// Where a user's Skype for Business / Teams account is homed.
public enum Homing: String, Sendable, Hashable, Codable, CaseIterable {
    /// Skype for Business Server, on premises.
    case onPremises
    /// Skype for Business Online / Teams.
    case online
}

/// Where a user's mailbox (and so their calendar) lives.
public enum MailboxLocation: String, Sendable, Hashable, Codable, CaseIterable {
    /// Exchange Online: the service can read and update the calendar.
    case online
    /// On-premises Exchange: the service cannot be used (MISSION L1).
    case onPremisesExchange
}

/// The coexistence mode of `TeamsUpgradePolicy`.
public enum TeamsUpgradeMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// `Islands`: Skype for Business and Teams side by side.
    case islands
    /// `SfBOnly`.
    case skypeForBusinessOnly
    /// `SfBWithTeamsCollab`.
    case skypeForBusinessWithTeamsCollab
    /// `SfBWithTeamsCollabAndMeetings`: new meetings are Teams meetings (a T3 trigger).
    case skypeForBusinessWithTeamsCollabAndMeetings
    /// `TeamsOnly`: only for users homed online (a T3 trigger).
    case teamsOnly
}

/// Who provides a user's audio conferencing.
public enum AudioConferencingProvider: String, Sendable, Hashable, Codable, CaseIterable {
    /// Microsoft audio conferencing (the bridges of the tenant).
    case microsoft
    /// Another provider: its dial-in details are not ours to write.
    case thirdParty
}

/// A user's audio-conferencing (dial-in) state.
///
/// Every meeting of a user shares the user's conference id (the "public meetings"
/// arrangement of MISSION T2); it is unique on the user's bridge.
public struct AudioConferencing: Sendable, Hashable, Codable {
    /// Whether a Microsoft audio-conferencing licence is assigned.
    public var licensed: Bool
    /// Who provides dial-in for this user.
    public var provider: AudioConferencingProvider
    /// Whether audio conferencing is enabled for the user.
    public var enabled: Bool
    /// The bridge whose phone numbers the user's invitations carry.
    public var bridge: BridgeID?
    /// The user's conference id, unique on ``bridge``.
    public var conferenceId: String?

    /// Creates an audio-conferencing state; the default is "none".
    public init(
        licensed: Bool = false,
        provider: AudioConferencingProvider = .microsoft,
        enabled: Bool = false,
        bridge: BridgeID? = nil,
        conferenceId: String? = nil
    ) {
        self.licensed = licensed
        self.provider = provider
        self.enabled = enabled
        self.bridge = bridge
        self.conferenceId = conferenceId
    }

    /// Whether the user's meetings carry Microsoft dial-in coordinates.
    public var providesMicrosoftDialIn: Bool {
        licensed && enabled && provider == .microsoft
    }
}

/// A user of a tenant, as the directory knows them.
public struct User: Sendable, Hashable, Codable {
    /// The stable identifier.
    public var id: UserID
    /// The tenant the user belongs to.
    public var tenant: TenantID
    /// The user principal name (the `-Identity` of the cmdlets), e.g. `ashaw@contoso.com`.
    public var userPrincipalName: String
    /// The SIP address, e.g. `sip:ashaw@contoso.com`.
    public var sipAddress: String
    /// Where the account is homed.
    public var homing: Homing
    /// Where the mailbox is.
    public var mailbox: MailboxLocation
    /// The user's own `TeamsUpgradePolicy` mode; `nil` means the tenant's default applies.
    public var teamsUpgradeMode: TeamsUpgradeMode?
    /// The audio-conferencing state.
    public var audioConferencing: AudioConferencing

    /// Creates a user.
    public init(
        id: UserID = .random(),
        tenant: TenantID,
        userPrincipalName: String,
        sipAddress: String? = nil,
        homing: Homing = .online,
        mailbox: MailboxLocation = .online,
        teamsUpgradeMode: TeamsUpgradeMode? = nil,
        audioConferencing: AudioConferencing = AudioConferencing()
    ) {
        self.id = id
        self.tenant = tenant
        self.userPrincipalName = userPrincipalName
        self.sipAddress = sipAddress ?? "sip:\(userPrincipalName)"
        self.homing = homing
        self.mailbox = mailbox
        self.teamsUpgradeMode = teamsUpgradeMode
        self.audioConferencing = audioConferencing
    }

    /// The domain part of the SIP address (used for on-premises meeting URLs).
    public var sipDomain: String {
        let address = sipAddress.hasPrefix("sip:") ? String(sipAddress.dropFirst(4)) : sipAddress
        return address.split(separator: "@").last.map(String.init) ?? address
    }

    /// The user part of the SIP address.
    public var sipUser: String {
        let address = sipAddress.hasPrefix("sip:") ? String(sipAddress.dropFirst(4)) : sipAddress
        return address.split(separator: "@").first.map(String.init) ?? address
    }
}
