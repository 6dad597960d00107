import Foundation

/// Everything the engine keeps: one protocol per concern, one backend implementing them all.
///
/// Every backend must pass the contract suite in `MMSCoreTesting` (`StoreContract`).
/// Writes are durable when the call returns: the engine acknowledges a request only then.
public typealias MigrationStore = TenantSettingsStore & DirectoryStore & CalendarStore
    & ConferencingStore & MigrationQueueStore & OutboxStore & StatusStore & MailDeliveryStore

/// Tenant switches (S3, S4).
public protocol TenantSettingsStore: Sendable {
    /// The tenant's settings, or the defaults when the tenant never changed them.
    func tenantSettings(_ tenant: TenantID) async throws -> TenantSettings
    /// Replaces the tenant's settings.
    func saveTenantSettings(_ settings: TenantSettings) async throws
}

/// What the engine asks of the store when a directory change may trigger a migration.
public struct EnqueueParameters: Sendable {
    /// The time of the change.
    public var now: Date
    /// How long a new or merged request waits before it is due (M1).
    public var hold: Duration
    /// A name for the change, kept for the record (e.g. "T2 licence assigned").
    public var trigger: String

    /// Creates parameters.
    public init(now: Date, hold: Duration, trigger: String) {
        self.now = now
        self.hold = hold
        self.trigger = trigger
    }

    /// When a request enqueued or merged now becomes due.
    public var dueDate: Date { now.adding(hold) }
}

/// Users and bridges.
public protocol DirectoryStore: Sendable {
    /// Inserts a new user.
    /// - Throws: ``MigrationEngineError`` `.alreadyExists` when the principal name or id is taken.
    func createUser(_ user: User) async throws
    /// The user with this principal name (case-insensitive), if any.
    func user(_ tenant: TenantID, principalName: String) async throws -> User?
    /// The user with this id, if any.
    func user(_ tenant: TenantID, id: UserID) async throws -> User?
    /// Users whose audio conferencing is on this bridge.
    func users(_ tenant: TenantID, onBridge bridge: BridgeID) async throws -> [User]
    /// The tenant's users by principal name (case-insensitive), at most `limit`, starting after
    /// `after` (a principal name, compared case-insensitively) when given: pages of ListUsers.
    func users(_ tenant: TenantID, after: String?, limit: Int) async throws -> [User]

    /// Reads the user, lets `change` modify it and decide, then in ONE transaction saves the
    /// user and enqueues or merges the migration the decision asks for (see ``MigrationQueueStore``).
    /// On ``TriggerDecision/refuse(_:)`` nothing is written.
    ///
    /// - Parameters:
    ///   - tenant: the tenant.
    ///   - principalName: the user's principal name.
    ///   - parameters: time, hold and trigger name for an enqueue.
    ///   - change: applies the change; called once, inside the transaction, with the tenant's settings.
    /// - Throws: ``MigrationEngineError`` `.notFound` for an unknown user; whatever `change` throws.
    func modifyUser(
        _ tenant: TenantID,
        principalName: String,
        parameters: EnqueueParameters,
        change: @escaping @Sendable (inout User, TenantSettings) throws -> TriggerDecision
    ) async throws -> DirectoryChangeOutcome

    /// Inserts or replaces a bridge.
    func saveBridge(_ bridge: Bridge) async throws
    /// The bridge, if any.
    func bridge(_ tenant: TenantID, id: BridgeID) async throws -> Bridge?
    /// The tenant's bridges by id.
    func bridges(_ tenant: TenantID) async throws -> [Bridge]
}

/// The organisers' calendars.
public protocol CalendarStore: Sendable {
    /// Inserts or replaces a meeting (the caller sets ``CalendarMeeting/version``).
    func saveMeeting(_ meeting: CalendarMeeting) async throws
    /// The meeting, if any.
    func meeting(_ tenant: TenantID, id: MeetingID) async throws -> CalendarMeeting?
    /// Meetings `organizer` organises that start at or after `start`, earliest first.
    func meetings(_ tenant: TenantID, organizedBy organizer: UserID, startingFrom start: Date) async throws -> [CalendarMeeting]
}

/// The built-in conferencing services' meetings.
public protocol ConferencingStore: Sendable {
    /// Inserts or replaces an online meeting (keyed by join URL).
    func saveOnlineMeeting(_ meeting: OnlineMeeting) async throws
    /// The online meeting this join URL leads to, if any: URLs are compared by meeting identity
    /// (`InvitationBlock.meetingIdentity(ofJoinURL:)`), so another spelling of the same meeting's
    /// URL (host case, `?sl=1`, a Teams `context` query) finds it (M4).
    func onlineMeeting(joinURL: String) async throws -> OnlineMeeting?
    /// The online meeting of `kind` scheduled for this calendar meeting, if any.
    func onlineMeeting(_ tenant: TenantID, calendarMeeting: MeetingID, kind: MeetingKind) async throws -> OnlineMeeting?
    /// The online meetings `organizer` organises.
    func onlineMeetings(_ tenant: TenantID, organizedBy organizer: UserID) async throws -> [OnlineMeeting]
}

/// A claim on one migration: only the holder of the current lease may record results.
public struct MigrationLease: Sendable, Hashable {
    /// The migration.
    public var correlationId: CorrelationID
    /// Who holds it (a worker name), for diagnostics.
    public var owner: String
    /// Incremented at every claim; a stale holder's token no longer matches (fencing).
    public var token: Int64
    /// When the lease ends unless renewed.
    public var expires: Date

    /// Creates a lease.
    public init(correlationId: CorrelationID, owner: String, token: Int64, expires: Date) {
        self.correlationId = correlationId
        self.owner = owner
        self.token = token
        self.expires = expires
    }
}

/// A migration a worker claimed.
public struct ClaimedMigration: Sendable, Hashable {
    /// The status record at claim time (state ``MigrationState/inProgress``).
    public var record: MigrationStatusRecord
    /// The lease to present on every write.
    public var lease: MigrationLease
    /// How many times the migration has been claimed, this claim included (first attempt,
    /// retries, and resumptions after a worker died).
    public var claimCount: Int

    /// Creates a claim.
    public init(record: MigrationStatusRecord, lease: MigrationLease, claimCount: Int = 1) {
        self.record = record
        self.lease = lease
        self.claimCount = claimCount
    }
}

/// What happened to one meeting in one migration.
public enum MeetingOutcome: String, Sendable, Hashable, Codable {
    /// Updated in the target service, body rewritten, invitation queued.
    case migrated
    /// Left alone on purpose (M4, M5, no block); not retried.
    case skipped
    /// Could not be migrated in this attempt; retried with the migration.
    case failed
}

/// The record of one meeting's outcome in one migration.
public struct MeetingOutcomeRecord: Sendable, Hashable, Codable {
    /// The migration.
    public var correlationId: CorrelationID
    /// The meeting.
    public var meeting: MeetingID
    /// The subject, so reasons can name the meeting.
    public var subject: String
    /// What happened.
    public var outcome: MeetingOutcome
    /// Why (for skipped and failed), or what was done (for migrated).
    public var reason: String
    /// When it was recorded.
    public var recorded: Date

    /// Creates a record.
    public init(correlationId: CorrelationID, meeting: MeetingID, subject: String, outcome: MeetingOutcome, reason: String, recorded: Date) {
        self.correlationId = correlationId
        self.meeting = meeting
        self.subject = subject
        self.outcome = outcome
        self.reason = reason
        self.recorded = recorded
    }
}

/// The new state of a migrated meeting, written only if the meeting is still at `expectedVersion`.
public struct MeetingRewrite: Sendable, Hashable {
    /// The meeting as read before the rewrite (its version is the expected one).
    public var expectedVersion: Int
    /// The meeting as it must be after (its version is ignored: the store sets expected + 1).
    public var rewritten: CalendarMeeting

    /// Creates a rewrite.
    public init(expectedVersion: Int, rewritten: CalendarMeeting) {
        self.expectedVersion = expectedVersion
        self.rewritten = rewritten
    }
}

/// One meeting's part of a batch of outcomes (``MigrationQueueStore/recordMeetingOutcomes(_:lease:)``).
public struct MeetingOutcomeWrite: Sendable, Hashable {
    /// The outcome.
    public var outcome: MeetingOutcomeRecord
    /// For a migrated meeting of the built-in calendar, its rewritten state.
    public var rewrite: MeetingRewrite?
    /// For a migrated meeting, the invitation to send.
    public var invitation: OutgoingInvitation?
    /// The online meeting to save with it (inserted, or updated by join URL).
    public var onlineMeeting: OnlineMeeting?

    /// Creates a write.
    public init(outcome: MeetingOutcomeRecord, rewrite: MeetingRewrite? = nil, invitation: OutgoingInvitation? = nil, onlineMeeting: OnlineMeeting? = nil) {
        self.outcome = outcome
        self.rewrite = rewrite
        self.invitation = invitation
        self.onlineMeeting = onlineMeeting
    }
}

/// How a migration ends, when its end is written with its last batch.
public struct MigrationFinish: Sendable, Hashable {
    /// `succeeded` or `failed`.
    public var state: MigrationState
    /// The record's LastMessage.
    public var message: String
    /// When.
    public var now: Date

    /// Creates an end.
    public init(state: MigrationState, message: String, now: Date) {
        precondition(state.isFinished, "a migration finishes succeeded or failed")
        self.state = state
        self.message = message
        self.now = now
    }
}

/// Why a store refused a write from a worker.
public enum MigrationStoreConflict: Error, Sendable, Hashable {
    /// The lease expired and another worker claimed the migration: the caller must stop.
    case leaseLost(CorrelationID)
    /// The meeting changed since it was read: the caller records a failure and retries later.
    case meetingChanged(MeetingID)
}

/// The queue of migrations.
public protocol MigrationQueueStore: Sendable {
    /// Enqueues or merges a migration for a user, durably, in one transaction:
    /// merges into the user's pending migration (scope union, hold restarted, trigger count +1);
    /// otherwise, when the user's migration is in progress, queues a follow-up;
    /// otherwise queues a new one. Use ``DirectoryStore/modifyUser(_:principalName:parameters:change:)``
    /// when a directory change comes with it.
    func enqueueMigration(for user: User, scope: MigrationScope, parameters: EnqueueParameters) async throws -> EnqueueOutcome

    /// Claims up to `limit` due migrations: pending ones whose hold has passed and in-progress ones
    /// whose lease expired or whose retry is due, oldest due first. Never claims a migration of a user
    /// who has another migration in progress (in-progress migrations come before pending ones).
    func claimDueMigrations(now: Date, owner: String, leaseDuration: Duration, limit: Int) async throws -> [ClaimedMigration]

    /// Extends a lease. - Throws: ``MigrationStoreConflict/leaseLost(_:)``.
    func renewLease(_ lease: MigrationLease, now: Date, duration: Duration) async throws -> MigrationLease

    /// The outcomes recorded so far for a migration.
    func meetingOutcomes(_ correlationId: CorrelationID) async throws -> [MeetingOutcomeRecord]

    /// Atomically records one meeting's outcome and, for a migrated meeting, its rewritten state and
    /// the invitation to send (the outbox). Idempotent: a meeting already recorded as migrated or
    /// skipped in this migration is left as it is. Updates the record's counters.
    /// - Throws: ``MigrationStoreConflict``.
    func recordMeetingOutcome(
        _ outcome: MeetingOutcomeRecord,
        rewrite: MeetingRewrite?,
        invitation: OutgoingInvitation?,
        lease: MigrationLease
    ) async throws

    /// Records many meetings' outcomes in ONE transaction (issue 11): for each, what
    /// ``recordMeetingOutcome(_:rewrite:invitation:lease:)`` does, plus the online meeting the
    /// engine decided for it (``MeetingOutcomeWrite/onlineMeeting``). The lease is checked once
    /// for the transaction; a meeting already recorded as migrated or skipped is left as it is;
    /// a meeting whose rewrite finds another version than expected gets nothing written (nor its
    /// outcome, invitation or online meeting) and is returned, so the caller can plan it again,
    /// while the others are recorded. The counters move by the recorded outcomes.
    /// - Returns: the meetings whose version check failed, in the order given.
    /// - Throws: ``MigrationStoreConflict/leaseLost(_:)``; then nothing is written.
    func recordMeetingOutcomes(_ writes: [MeetingOutcomeWrite], lease: MigrationLease) async throws -> [MeetingID]

    /// ``recordMeetingOutcomes(_:lease:)`` and then, in the same transaction and only when no meeting
    /// of the batch failed its version check, ``finishMigration(_:state:message:now:)`` with `finish`:
    /// a migration's last batch and its end are one commit (issue 11).
    /// - Returns: the meetings whose version check failed; when there are any, the migration is not finished.
    func recordMeetingOutcomes(_ writes: [MeetingOutcomeWrite], lease: MigrationLease, finish: MigrationFinish) async throws -> [MeetingID]

    /// Ends a migration: `succeeded` or `failed` with `message`, lease released.
    func finishMigration(_ lease: MigrationLease, state: MigrationState, message: String, now: Date) async throws

    /// Releases the lease and schedules the next attempt at `retryAt`, retry count +1, message kept.
    func rescheduleMigration(_ lease: MigrationLease, retryAt: Date, message: String, now: Date) async throws

    /// When the earliest pending or in-progress migration becomes due, if any (for workers to sleep).
    func nextDueDate() async throws -> Date?
}

/// The outbox of invitations.
public protocol OutboxStore: Sendable {
    /// Invitations recorded but not yet sent, oldest first.
    func unsentInvitations(limit: Int) async throws -> [OutgoingInvitation]
    /// Marks an invitation sent.
    func markInvitationSent(_ id: String, now: Date) async throws
    /// Every invitation recorded for a meeting, sent or not (for status and tests).
    func invitations(forMeeting meeting: MeetingID) async throws -> [OutgoingInvitation]
    /// Records that the built-in sender delivered an invitation; returns false (and records
    /// nothing new but the attempt) when that id was delivered before.
    func recordDelivery(_ invitation: OutgoingInvitation, now: Date) async throws -> Bool
    /// The built-in sender's batch (issue 11): in ONE transaction, records each invitation's
    /// delivery as ``recordDelivery(_:now:)`` does (at most once per id) and marks it sent.
    func recordDeliveriesAndMarkSent(_ invitations: [OutgoingInvitation], now: Date) async throws
    /// The invitations the built-in sender delivered for a meeting, with how many times delivery was attempted.
    func deliveries(forMeeting meeting: MeetingID) async throws -> [(invitation: OutgoingInvitation, attempts: Int)]
}

/// Status queries and pruning (S1, S2).
public protocol StatusStore: Sendable {
    /// The record of one migration.
    func migrationStatus(_ correlationId: CorrelationID) async throws -> MigrationStatusRecord?
    /// Records matching the filter, most recently modified first.
    func migrationStatus(_ tenant: TenantID, filter: StatusFilter) async throws -> [MigrationStatusRecord]
    /// The number of distinct users per state among records matching the filter (limit ignored).
    func migrationSummary(_ tenant: TenantID, filter: StatusFilter) async throws -> [MigrationState: Int]
    /// Deletes finished migrations created before `cutoff`, with their meeting outcomes and sent
    /// invitations. Returns how many migrations were deleted.
    func pruneMigrations(createdBefore cutoff: Date) async throws -> Int
}

extension Date {
    /// This date plus a `Duration`.
    public func adding(_ duration: Duration) -> Date {
        let (seconds, attoseconds) = duration.components
        return addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }
}

extension DirectoryStore {
    /// The tenant's first `limit` users by principal name.
    public func users(_ tenant: TenantID, limit: Int) async throws -> [User] {
        try await self.users(tenant, after: nil, limit: limit)
    }
}

/// Counts for the metrics endpoint (issue 13), read at most every few seconds.
public protocol StoreCounts: Sendable {
    /// How many migrations are in each state, across tenants.
    func migrationCountsByState() async throws -> [MigrationState: Int]
    /// How many invitations wait in the outbox, unsent (deferred ones included).
    func outboxBacklog() async throws -> Int
}
