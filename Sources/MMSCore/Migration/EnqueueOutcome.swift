/// Why a change did not queue a migration.
public struct NotQueuedReason: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A machine-readable category.
    public enum Code: String, Sendable, Hashable, Codable {
        /// L1: the user's mailbox is in on-premises Exchange. Refused, nothing changed.
        case mailboxOnPremises
        /// L2: the user is being moved from the cloud back to on-premises. Refused, nothing changed.
        case movingBackToOnPremises
        /// T3: `TeamsOnly` can only be granted to a user homed online. Refused, nothing changed.
        case teamsOnlyRequiresOnlineHoming
        /// S3: `MeetingMigrationEnabled` is off for the tenant.
        case tenantMigrationDisabled
        /// S4: `AutomaticallyMigrateUserMeetings` is off, and the change is an audio-conferencing one.
        case automaticMigrationDisabled
        /// The change is not a trigger (N1, N2, a tenant-wide grant, another policy mode, ...).
        case notATrigger
        /// The change did not alter anything meetings carry (e.g. the same value set again).
        case nothingChanged
    }

    /// The category.
    public var code: Code
    /// A sentence an admin can act on.
    public var message: String
    /// Whether the directory change itself was applied (false for refusals).
    public var changeApplied: Bool

    /// Creates a reason.
    public init(code: Code, message: String, changeApplied: Bool) {
        self.code = code
        self.message = message
        self.changeApplied = changeApplied
    }

    public var description: String { message }
}

/// What happened to a migration request.
public enum EnqueueOutcome: Sendable, Hashable {
    /// A new migration was queued (no other was pending or running for the user).
    case queued(MigrationStatusRecord)
    /// The request was coalesced into the user's pending migration (M1); the hold restarted.
    case merged(MigrationStatusRecord)
    /// The user's migration was running, so a follow-up migration was queued: a trigger is never
    /// dropped. (A later trigger merges into that follow-up and reports ``merged(_:)``.)
    case followUp(MigrationStatusRecord)
    /// No migration was queued; the reason says why.
    case notQueued(NotQueuedReason)

    /// Whether the request now belongs to a pending migration.
    public var isQueued: Bool {
        if case .notQueued = self { return false }
        return true
    }

    /// The migration the request belongs to, when queued.
    public var record: MigrationStatusRecord? {
        switch self {
        case .queued(let record), .merged(let record), .followUp(let record): record
        case .notQueued: nil
        }
    }

    /// Why nothing was queued, when not queued.
    public var reason: NotQueuedReason? {
        if case .notQueued(let reason) = self { return reason }
        return nil
    }
}

/// The result of a directory operation (a trigger or a non-trigger).
public struct DirectoryChangeOutcome: Sendable, Hashable {
    /// The user after the operation (unchanged when refused).
    public var user: User
    /// Whether a migration was queued, and if not why.
    public var migration: EnqueueOutcome

    /// Creates an outcome.
    public init(user: User, migration: EnqueueOutcome) {
        self.user = user
        self.migration = migration
    }
}
