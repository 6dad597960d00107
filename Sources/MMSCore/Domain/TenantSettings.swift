/// A tenant's switches and defaults (MISSION S3, S4, T3, N2).
public struct TenantSettings: Sendable, Hashable, Codable {
    /// The tenant these settings belong to.
    public var tenant: TenantID
    /// `Get-CsTenantMigrationConfiguration` `MeetingMigrationEnabled` (S3): off, nothing triggers.
    public var meetingMigrationEnabled: Bool
    /// `Get-CsOnlineDialInConferencingTenantSettings` `AutomaticallyMigrateUserMeetings` (S4):
    /// off, audio-conferencing changes (T2) no longer trigger.
    public var automaticallyMigrateUserMeetings: Bool
    /// The tenant-wide `TeamsUpgradePolicy` mode (a tenant-wide grant never triggers, T3).
    public var defaultTeamsUpgradeMode: TeamsUpgradeMode
    /// The tenant's meeting URL host (`Update-CsTenantMeetingUrl`, N2), e.g. `meet.contoso.com`.
    public var meetingURLHost: String?
    /// Where the tenant's meetings live (R1); nil is the built-in calendar. Its secret is kept
    /// apart (``SecretStore``).
    public var mailbox: MailboxSettings?

    /// Creates settings; the defaults are the service's defaults (both switches on).
    public init(
        tenant: TenantID,
        meetingMigrationEnabled: Bool = true,
        automaticallyMigrateUserMeetings: Bool = true,
        defaultTeamsUpgradeMode: TeamsUpgradeMode = .islands,
        meetingURLHost: String? = nil
    ) {
        self.tenant = tenant
        self.meetingMigrationEnabled = meetingMigrationEnabled
        self.automaticallyMigrateUserMeetings = automaticallyMigrateUserMeetings
        self.defaultTeamsUpgradeMode = defaultTeamsUpgradeMode
        self.meetingURLHost = meetingURLHost
    }

    /// The settings of a tenant that never changed them.
    public static func defaults(for tenant: TenantID) -> TenantSettings { TenantSettings(tenant: tenant) }
}
