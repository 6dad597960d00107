import Foundation
import Logging
import Synchronization

/// The migration engine: directory triggers, the durable queue, workers, status.
///
/// The RPC server creates one per process over a ``MigrationStore`` and runs ``run()``
/// under its service group. Every operation is durable when it returns.
public final class MigrationEngine: Sendable {
    /// The storage backend.
    public let store: any MigrationStore
    /// Where time comes from.
    public let clock: any MigrationClock
    /// How the engine runs.
    public let configuration: MigrationEngineConfiguration
    let conferencing: ConferencingServices
    let sender: any InvitationSender
    /// Each tenant's mailbox (R1); the built-in calendar unless a tenant is given another.
    public let mailboxes: any MailboxDirectory
    let logger: Logger
    /// Set while one task sends the outbox, so two never send the same invitation at once.
    let outboxBusy = Mutex(false)
    /// Rung when invitations are queued, so the dispatcher sends them without waiting for its poll.
    let outboxBell = Doorbell()
    /// How many times each invitation's sender threw (for the backoff), while this engine runs.
    let deferrals = Mutex<[String: Int]>([:])
    /// This engine's own mark on the leases its workers take (`<workerName>-<instance>-<n>`), new
    /// for every engine, so a lease left by an earlier process (a crash) is told apart from a
    /// live one (issue 9: "resumes after").
    public let instance: String = String(UInt32.random(in: .min ... .max), radix: 16)

    /// Creates an engine.
    ///
    /// - Parameters:
    ///   - store: the storage backend.
    ///   - clock: where time comes from (``SystemMigrationClock`` in production).
    ///   - configuration: hold, retries, workers, leases.
    ///   - conferencing: the conferencing services; `nil` means the built-in ones over `store`.
    ///   - sender: sends invitations; `nil` means the built-in ``StoreInvitationSender``.
    ///   - mailboxes: each tenant's mailbox; `nil` means the built-in calendar for every tenant.
    ///   - logger: where to log.
    public init(
        store: any MigrationStore,
        clock: any MigrationClock = SystemMigrationClock(),
        configuration: MigrationEngineConfiguration = .defaults,
        conferencing: ConferencingServices? = nil,
        sender: (any InvitationSender)? = nil,
        mailboxes: (any MailboxDirectory)? = nil,
        logger: Logger = Logger(label: "mms.engine")
    ) {
        self.store = store
        self.clock = clock
        self.configuration = configuration
        self.conferencing = conferencing ?? .builtIn(store: store)
        self.sender = sender ?? StoreInvitationSender(store: store, clock: clock)
        self.mailboxes = mailboxes ?? BuiltInMailboxDirectory(store: store)
        self.logger = logger
    }

    /// The lease owner name of this engine's worker `index`.
    func workerName(_ index: Int) -> String { "\(configuration.workerName)-\(instance)-\(index)" }

    /// When `record`, in progress under a lease that none of this engine's workers holds, is
    /// taken over by a worker (its lease's end); nil otherwise. With one server this means its
    /// worker stopped (the process died); with several on one database it may run on another.
    public func resumesAfter(_ record: MigrationStatusRecord) -> Date? {
        guard record.state == .inProgress, let owner = record.leaseOwner else { return nil }
        return owner.hasPrefix("\(configuration.workerName)-\(instance)-") ? nil : record.nextAttempt
    }

    // MARK: Manual trigger and tenant switches

    /// `Start-CsExMeetingMigration` (T4): queues a migration of `identity`'s meetings.
    ///
    /// - Parameters:
    ///   - tenant: the tenant.
    ///   - identity: the user's principal name.
    ///   - source: which meetings (default all).
    ///   - target: what they become (default current).
    /// - Returns: queued, merged into the pending migration, a follow-up, or not queued with the reason
    ///   (S3 off, L1).
    /// - Throws: ``MigrationEngineError`` for an empty or unknown identity.
    public func startMeetingMigration(
        tenant: TenantID,
        identity: String,
        source: SourceMeetingType = .all,
        target: TargetMeetingType = .current
    ) async throws -> EnqueueOutcome {
        try await applyDirectoryChange(tenant: tenant, identity: identity, .startMigration(source: source, target: target)).migration
    }

    /// `Get-CsTenantMigrationConfiguration` (S3).
    public func tenantMigrationConfiguration(tenant: TenantID) async throws -> TenantSettings {
        try validate(tenant)
        return try await store.tenantSettings(tenant)
    }

    /// `Set-CsTenantMigrationConfiguration -MeetingMigrationEnabled` (S3).
    @discardableResult
    public func setTenantMigrationConfiguration(tenant: TenantID, meetingMigrationEnabled: Bool) async throws -> TenantSettings {
        try await updateSettings(tenant) { $0.meetingMigrationEnabled = meetingMigrationEnabled }
    }

    /// `Get-CsOnlineDialInConferencingTenantSettings` (S4).
    public func dialInConferencingSettings(tenant: TenantID) async throws -> TenantSettings {
        try await tenantMigrationConfiguration(tenant: tenant)
    }

    /// `Set-CsOnlineDialInConferencingTenantSettings -AutomaticallyMigrateUserMeetings` (S4).
    @discardableResult
    public func setDialInConferencingSettings(tenant: TenantID, automaticallyMigrateUserMeetings: Bool) async throws -> TenantSettings {
        try await updateSettings(tenant) { $0.automaticallyMigrateUserMeetings = automaticallyMigrateUserMeetings }
    }

    func updateSettings(_ tenant: TenantID, _ change: (inout TenantSettings) -> Void) async throws -> TenantSettings {
        try validate(tenant)
        var settings = try await store.tenantSettings(tenant)
        change(&settings)
        try await store.saveTenantSettings(settings)
        return settings
    }

    // MARK: Status

    /// `Get-CsMeetingMigrationStatus` (S1): records matching `query`, most recently modified first.
    /// - Throws: ``MigrationEngineError`` for an unknown identity, a negative limit or an inverted window.
    public func migrationStatus(tenant: TenantID, query: StatusQuery = StatusQuery()) async throws -> [MigrationStatusRecord] {
        try await store.migrationStatus(tenant, filter: try filter(tenant, query))
    }

    /// `Get-CsMeetingMigrationStatus -SummaryOnly` (S1): distinct users per state, every state present.
    public func migrationSummary(tenant: TenantID, query: StatusQuery = StatusQuery()) async throws -> [MigrationState: Int] {
        var summary = try await store.migrationSummary(tenant, filter: try filter(tenant, query))
        for state in MigrationState.allCases where summary[state] == nil { summary[state] = 0 }
        return summary
    }

    /// The record of one migration, if it exists (and was not pruned).
    public func migrationStatus(correlationId: CorrelationID) async throws -> MigrationStatusRecord? {
        try await store.migrationStatus(correlationId)
    }

    /// What happened to each meeting in one migration.
    public func meetingOutcomes(correlationId: CorrelationID) async throws -> [MeetingOutcomeRecord] {
        try await store.meetingOutcomes(correlationId)
    }

    /// Deletes finished status records older than the retention (150 days, S2). Returns how many.
    @discardableResult
    public func pruneStatusRecords() async throws -> Int {
        try await store.pruneMigrations(createdBefore: clock.now().adding(.zero - configuration.statusRetention))
    }

    private func filter(_ tenant: TenantID, _ query: StatusQuery) throws -> StatusFilter {
        try validate(tenant)
        guard query.limit >= 0 else {
            throw MigrationEngineError(code: .invalidArgument, field: "limit", message: "limit must not be negative (got \(query.limit))")
        }
        if let start = query.start, let end = query.end, start > end {
            throw MigrationEngineError(code: .invalidArgument, field: "start", message: "start (\(start)) is after end (\(end))")
        }
        // The store resolves the identity in the same read as the records (one round trip).
        var principalName: String?
        if let identity = query.identity?.trimmingWhitespace(), !identity.isEmpty { principalName = identity }
        return StatusFilter(
            principalName: principalName, start: query.start, end: query.end, state: query.state,
            limit: query.limit == 0 ? StatusQuery.defaultLimit : query.limit)
    }

    func validate(_ tenant: TenantID) throws {
        if tenant.rawValue.trimmingWhitespace().isEmpty { throw MigrationEngineError.emptyField("tenant") }
    }
}
