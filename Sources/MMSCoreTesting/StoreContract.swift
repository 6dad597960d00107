import Foundation
import MMSCore

/// A failed expectation of the store contract.
public struct ContractFailure: Error, CustomStringConvertible {
    /// What was expected.
    public var description: String
    /// Creates a failure.
    public init(_ description: String, file: StaticString = #fileID, line: UInt = #line) {
        self.description = "\(description) (\(file):\(line))"
    }
}

/// Throws ``ContractFailure`` unless `condition` holds.
public func require(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) throws {
    if !condition { throw ContractFailure(message(), file: file, line: line) }
}

/// The behaviour every ``MigrationStore`` backend must have, written once.
///
/// A backend's test target runs every case against fresh stores:
/// ```swift
/// @Test("store contract", arguments: StoreContract.caseNames)
/// func contract(_ name: String) async throws {
///     let directory = try TemporaryDirectory()
///     try await StoreContract.run(name) { try SQLiteMigrationStore(directory: directory.path) }
/// }
/// ```
/// The factory may be called more than once per case (to reopen the same database): it must
/// return a store over the same data each time.
public enum StoreContract {
    /// A contract case.
    public typealias Case = @Sendable (_ makeStore: @Sendable () async throws -> any MigrationStore) async throws -> Void

    /// The names of every case, each citing the rule it checks.
    public static var caseNames: [String] { cases.map(\.name) }

    /// Runs the case called `name` with stores from `makeStore`.
    public static func run(_ name: String, makeStore: @escaping @Sendable () async throws -> any MigrationStore) async throws {
        guard let found = cases.first(where: { $0.name == name }) else { throw ContractFailure("no contract case named '\(name)'") }
        try await found.run(makeStore)
    }

    static let cases: [(name: String, run: Case)] = [
        ("M1: enqueue creates a pending record due after the hold", QueueContract.enqueueCreatesPending),
        ("M1: a trigger inside the hold merges into the pending migration and restarts the hold", QueueContract.mergeRestartsHold),
        ("M1: nothing is claimed before the hold has passed", QueueContract.claimRespectsHold),
        ("Follow-up: a trigger during a running migration queues a follow-up claimed only after it", QueueContract.followUp),
        ("Lease: an expired lease is reclaimed and the old holder is fenced off", QueueContract.leaseExpiry),
        ("Lease: a migration is claimed by one worker only", QueueContract.singleClaim),
        ("Follow-up: many follow-ups blocked behind running migrations never starve other users", QueueContract.blockedFollowUpsDoNotStarve),
        ("M7: rescheduling counts a retry and hides the migration until the retry time", QueueContract.reschedule),
        ("Outbox: a meeting's rewrite, outcome and invitation are recorded atomically and once", OutboxContract.atomicAndIdempotent),
        ("Counters: after any sequence of outcomes (failed ones recorded again) the record's counters equal a recount", OutboxContract.countersFollowOutcomes),
        ("Outbox: a rewrite of a meeting edited meanwhile is refused and writes nothing", OutboxContract.staleRewrite),
        ("Outbox: unsent invitations are listed until marked sent; deliveries count once per id", OutboxContract.unsentAndDeliveries),
        ("Batch: many meetings in one write; the one edited meanwhile is returned with nothing written, the rest once", BatchContract.batchWithConflict),
        ("Batch: a batch presented with a lease taken over writes nothing, online meetings included", BatchContract.batchFenced),
        ("Batch: the last batch and the migration's end are one write, not while a meeting is to re-plan", BatchContract.batchAndFinish),
        ("Batch: the built-in sender's deliveries and their mark-sent are one write, once per id", BatchContract.deliveriesBatch),
        ("S1: status filters by identity, time window and state, newest first", StatusContract.filters),
        ("S1: status by principal name is one read; an unknown name is NOT_FOUND", StatusContract.byPrincipalName),
        ("S1: the summary counts distinct users per state", StatusContract.summary),
        ("S2: pruning deletes finished migrations older than the cutoff only", StatusContract.prune),
        ("M8: bodies and attachments are stored byte for byte", DirectoryContract.bodiesByteForByte),
        ("Directory: a refused change writes nothing; principal names and conference ids stay unique", DirectoryContract.directoryRules),
        ("S3/S4: tenant settings default to on and persist", DirectoryContract.tenantSettings),
        ("M4: an online meeting is found by any spelling of its join URL, and only by its own", DirectoryContract.onlineMeetingIdentity),
        ("Durability: acknowledged writes are there after reopening the store", DirectoryContract.reopen),
        ("Group commit: concurrent enqueues for many users all commit, one pending each", QueueContract.concurrentEnqueues),
        ("Directory: users list by principal name within a limit, bridges by id, each tenant apart", ListingContract.listing),
    ]
}

let hold: Duration = .seconds(90 * 60)
let start = ManualClock.defaultStart

func parameters(_ now: Date, _ trigger: String = "T4") -> EnqueueParameters {
    EnqueueParameters(now: now, hold: hold, trigger: trigger)
}

func seededStore(_ makeStore: @Sendable () async throws -> any MigrationStore, users: [User]) async throws -> any MigrationStore {
    let store = try await makeStore()
    try await store.saveBridge(Fixtures.bridge)
    try await store.saveBridge(Fixtures.otherBridge)
    for user in users { try await store.createUser(user) }
    return store
}
