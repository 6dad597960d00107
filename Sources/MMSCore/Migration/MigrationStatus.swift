import Foundation

/// The state of one migration (MISSION S1).
public enum MigrationState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Queued, waiting for its hold to pass.
    case pending
    /// Claimed by a worker, or waiting for its next retry.
    case inProgress
    /// Finished with meetings that could not be migrated; ``MigrationStatusRecord/lastMessage`` says what to fix.
    case failed
    /// Finished; every selected meeting was migrated or skipped with a reason.
    case succeeded

    /// Whether the migration has finished.
    public var isFinished: Bool { self == .failed || self == .succeeded }
}

/// One row of `Get-CsMeetingMigrationStatus`: one migration of one user.
public struct MigrationStatusRecord: Sendable, Hashable, Codable {
    /// The migration's identifier; triggers merged into it share it.
    public var correlationId: CorrelationID
    /// The tenant.
    public var tenant: TenantID
    /// The user whose meetings are migrated.
    public var userId: UserID
    /// The user's principal name when the migration was queued.
    public var userPrincipalName: String
    /// The state.
    public var state: MigrationState
    /// What the migration does, per kind of meeting.
    public var scope: MigrationScope
    /// How many failed attempts were retried so far (at most the schedule's count, M7).
    public var retryCount: Int
    /// What went wrong last, or why meetings were skipped; empty when there is nothing to say.
    public var lastMessage: String
    /// When the migration was queued.
    public var createDate: Date
    /// When the record last changed.
    public var modifiedDate: Date
    /// Meetings selected so far (migrated + skipped + failed).
    public var totalMeetings: Int
    /// Meetings migrated.
    public var succeededMeetings: Int
    /// Meetings that failed in the last attempt.
    public var failedMeetings: Int
    /// Meetings left alone with a reason (M4, M5, no block).
    public var skippedMeetings: Int
    /// Updated invitations queued for sending (one per migrated meeting).
    public var invitesUpdated: Int
    /// How many triggers were coalesced into this migration (1 when none merged).
    public var triggerCount: Int
    /// The migration that was running when this one was queued, if it is a follow-up.
    public var followUpOf: CorrelationID?
    /// When an unfinished migration is next looked at: for a pending one, when its hold or its
    /// retry delay ends and it runs; for one in progress, when its lease ends, so that another
    /// worker takes it over if the one running it stopped (a crash). Nil once finished.
    public var nextAttempt: Date?
    /// The worker that holds the migration's lease while it is in progress.
    public var leaseOwner: String?
    /// Recipients a mail server refused for good (5xx), over every invitation of the migration (R5).
    public var refusedRecipients: Int

    /// Creates a record.
    public init(
        correlationId: CorrelationID,
        tenant: TenantID,
        userId: UserID,
        userPrincipalName: String,
        state: MigrationState,
        scope: MigrationScope,
        retryCount: Int = 0,
        lastMessage: String = "",
        createDate: Date,
        modifiedDate: Date,
        totalMeetings: Int = 0,
        succeededMeetings: Int = 0,
        failedMeetings: Int = 0,
        skippedMeetings: Int = 0,
        invitesUpdated: Int = 0,
        triggerCount: Int = 1,
        followUpOf: CorrelationID? = nil,
        nextAttempt: Date? = nil,
        leaseOwner: String? = nil,
        refusedRecipients: Int = 0
    ) {
        self.correlationId = correlationId
        self.tenant = tenant
        self.userId = userId
        self.userPrincipalName = userPrincipalName
        self.state = state
        self.scope = scope
        self.retryCount = retryCount
        self.lastMessage = lastMessage
        self.createDate = createDate
        self.modifiedDate = modifiedDate
        self.totalMeetings = totalMeetings
        self.succeededMeetings = succeededMeetings
        self.failedMeetings = failedMeetings
        self.skippedMeetings = skippedMeetings
        self.invitesUpdated = invitesUpdated
        self.triggerCount = triggerCount
        self.followUpOf = followUpOf
        self.nextAttempt = nextAttempt
        self.leaseOwner = leaseOwner
        self.refusedRecipients = refusedRecipients
    }

    /// The `MigrationType` column.
    public var migrationType: MigrationType { scope.migrationType }
}

/// The filters of `Get-CsMeetingMigrationStatus` (MISSION S1); every one is optional.
public struct StatusQuery: Sendable, Hashable {
    /// Only this user's records (`-Identity`, a user principal name).
    public var identity: String?
    /// Only records modified at or after this time (`-StartTime`).
    public var start: Date?
    /// Only records modified at or before this time (`-EndTime`).
    public var end: Date?
    /// Only records in this state.
    public var state: MigrationState?
    /// At most this many records, newest first.
    public var limit: Int

    /// The default limit, as the RPC API documents it.
    public static let defaultLimit = 1000

    /// Creates a query.
    public init(
        identity: String? = nil,
        start: Date? = nil,
        end: Date? = nil,
        state: MigrationState? = nil,
        limit: Int = StatusQuery.defaultLimit
    ) {
        self.identity = identity
        self.start = start
        self.end = end
        self.state = state
        self.limit = limit
    }
}

/// The filters a store applies, with the identity already resolved to a user id.
public struct StatusFilter: Sendable, Hashable {
    /// Only this user's records.
    public var userId: UserID?
    /// Only the records of the user with this principal name (compared without case). The store
    /// resolves it in the same read as the records, and throws ``MigrationEngineError`` with
    /// NOT_FOUND when the tenant has no such user.
    public var principalName: String?
    /// Modified at or after.
    public var start: Date?
    /// Modified at or before.
    public var end: Date?
    /// In this state.
    public var state: MigrationState?
    /// At most this many, newest (by modification) first.
    public var limit: Int

    /// Creates a filter.
    public init(
        userId: UserID? = nil, principalName: String? = nil, start: Date? = nil, end: Date? = nil, state: MigrationState? = nil,
        limit: Int = StatusQuery.defaultLimit
    ) {
        self.userId = userId
        self.principalName = principalName
        self.start = start
        self.end = end
        self.state = state
        self.limit = limit
    }
}
