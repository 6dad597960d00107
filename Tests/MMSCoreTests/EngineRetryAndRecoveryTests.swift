import Foundation
import MMSCore
import MMSCoreTesting
import MMSSQLite
import Synchronization
import Testing

/// Retries, follow-ups, leases, status and pruning.
@Suite("Engine: retries, follow-ups, leases, status and pruning (M7, S1, S2, S5)")
struct EngineRetryAndRecoveryTests {
    @Test("M7: a failing migration is retried 9 times within 24 hours, then Failed with a LastMessage saying what to fix")
    func retryExhaustion() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let meeting = try await h.addMeeting(ann)
        // Both numbers of the bridge unassigned: every attempt fails, the admin must assign a number.
        for number in Fixtures.bridge.numbers.map(\.number) {
            _ = try await h.engine.unassignBridgeNumber(tenant: h.tenant, bridge: Fixtures.bridge.id, number: number)
        }
        let records = try await h.status(ann)
        #expect(records.count == 1 && records[0].triggerCount == 2)
        h.clock.advance(by: EngineHarness.hold)
        let firstAttempt = h.clock.now()
        var attempts = try await h.engine.runDueWork()
        var retries: [Int] = []
        for delay in RetrySchedule.default.delays {
            let record = try #require(try await h.status(ann).first)
            #expect(record.state == .inProgress)
            retries.append(record.retryCount)
            h.clock.advance(by: delay - .seconds(1))
            #expect(try await h.engine.runDueWork() == 0, "retried before its time")
            h.clock.advance(by: .seconds(1))
            attempts += try await h.engine.runDueWork()
        }
        #expect(retries == Array(1...9))
        #expect(attempts == 10)
        #expect(h.clock.now().timeIntervalSince(firstAttempt) <= 24 * 3600)
        let failed = try #require(try await h.status(ann).first)
        #expect(failed.state == .failed && failed.retryCount == 9 && failed.failedMeetings == 1 && failed.succeededMeetings == 0)
        #expect(failed.lastMessage.contains("assign a number to the bridge"))
        #expect(failed.lastMessage.contains("Start-CsExMeetingMigration -Identity ann@contoso.com"))
        h.clock.advance(by: .seconds(7 * 86_400))
        #expect(try await h.engine.runDueWork() == 0, "a failed migration is not retried again")
        #expect(try await h.meeting(meeting.id) == meeting)
        #expect(try await h.store.deliveries(forMeeting: meeting.id).isEmpty)
    }

    @Test("S5: after fixing the cause, re-running Start-CsExMeetingMigration migrates the meetings")
    func fixAndRerun() async throws {
        let h = try await EngineHarness.make(configuration: MigrationEngineConfiguration(retrySchedule: RetrySchedule(delays: [.seconds(60)])))
        let ann = try await h.addUser(Fixtures.user("ann"))
        let meeting = try await h.addMeeting(ann)
        var broken = Fixtures.bridge
        broken.numbers = []
        try await h.engine.saveBridge(broken)
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", target: .teams)
        try await h.passHoldAndRun()
        h.clock.advance(by: .seconds(60))
        try await h.engine.runDueWork()
        let failed = try #require(try await h.status(ann).first)
        #expect(failed.state == .failed)
        try await h.engine.saveBridge(Fixtures.bridge)  // the fix
        let rerun = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", target: .teams)
        guard case .queued(let record) = rerun else { Issue.record("\(rerun)"); return }
        #expect(record.correlationId != failed.correlationId)
        try await h.passHoldAndRun()
        #expect(try await h.engine.migrationStatus(correlationId: record.correlationId)?.state == .succeeded)
        let migrated = try await h.meeting(meeting.id)
        #expect(migrated.kind == .teams && migrated.body.contains("13238867531"))
    }

    @Test("M7: a transient failure is retried; meetings finished by an earlier attempt are not updated or sent again")
    func transientRetry() async throws {
        let h = try await EngineHarness.make(conferencing: { store in
            ConferencingServices([
                BuiltInConferencingService(kind: .skypeOnline, store: store),
                BuiltInConferencingService(kind: .skypeOnPremises, store: store),
                FlakyConferencing(BuiltInConferencingService(kind: .teams, store: store), failures: 1),
            ])
        })
        let ann = try await h.addUser(Fixtures.user("ann"))
        let first = try await h.addMeeting(ann, daysAhead: 1)
        let second = try await h.addMeeting(ann, daysAhead: 2)
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", target: .teams)
        try await h.passHoldAndRun()
        let afterFirst = try #require(try await h.status(ann).first)
        #expect(afterFirst.state == .inProgress && afterFirst.retryCount == 1 && afterFirst.failedMeetings == 1 && afterFirst.succeededMeetings == 1)
        #expect(afterFirst.lastMessage.contains("timed out") && afterFirst.lastMessage.contains("retry 1 of 9"))
        #expect(try await h.meeting(first.id) == first)
        #expect(try await h.meeting(second.id).version == second.version + 1)
        h.clock.advance(by: RetrySchedule.default.delays[0])
        try await h.engine.runDueWork()
        let done = try #require(try await h.status(ann).first)
        #expect(done.state == .succeeded && done.retryCount == 1 && done.succeededMeetings == 2 && done.failedMeetings == 0 && done.invitesUpdated == 2)
        #expect(try await h.meeting(first.id).version == first.version + 1)
        #expect(try await h.meeting(second.id).version == second.version + 1, "not updated twice")
        #expect(try await h.store.deliveries(forMeeting: second.id).map(\.attempts) == [1], "not sent twice")
        #expect(try await h.store.deliveries(forMeeting: first.id).count == 1)
    }

    @Test("Follow-up: a trigger while the user's migration runs is never dropped; it runs after, never at the same time")
    func followUp() async throws {
        let triggerBox = LockedTrigger()
        let h = try await EngineHarness.make(conferencing: { store in
            ConferencingServices([
                BuiltInConferencingService(kind: .skypeOnline, store: store),
                BuiltInConferencingService(kind: .skypeOnPremises, store: store),
                Hook(BuiltInConferencingService(kind: .teams, store: store)) { await triggerBox.fireOnce() },
            ])
        })
        let ann = try await h.addUser(Fixtures.user("ann"))
        let meeting = try await h.addMeeting(ann, kind: .teams)
        let engine = h.engine
        let tenant = h.tenant
        let running = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com")
        triggerBox.trigger.withLock { $0 = { try await engine.resetConferenceId(tenant: tenant, identity: "ann@contoso.com").migration } }
        h.clock.advance(by: EngineHarness.hold)
        #expect(try await h.engine.runDueWork() == 1, "the follow-up is held, not run at once")
        let seen = triggerBox.observed.withLock { $0 }
        guard case .followUp(let follow) = seen.first else { Issue.record("expected a follow-up: \(seen)"); return }
        #expect(follow.followUpOf == running.record?.correlationId)
        #expect(try await h.engine.migrationStatus(correlationId: running.record!.correlationId)?.state == .succeeded)
        try await h.passHoldAndRun()
        #expect(try await h.engine.migrationStatus(correlationId: follow.correlationId)?.state == .succeeded)
        let user = try await h.engine.user(tenant: h.tenant, identity: "ann@contoso.com")
        let final = try await h.meeting(meeting.id)
        #expect(final.body.contains(user.audioConferencing.conferenceId!), "the follow-up carried the new conference id")
        #expect(try await h.store.deliveries(forMeeting: meeting.id).count == 2)
    }

    @Test("Lease: a worker that dies mid-migration loses its lease; another resumes without updating a meeting twice")
    func leaseTakeover() async throws {
        let h = try await EngineHarness.make(configuration: MigrationEngineConfiguration(leaseDuration: .seconds(120)))
        let ann = try await h.addUser(Fixtures.user("ann"))
        let done = try await h.addMeeting(ann, daysAhead: 1)
        let left = try await h.addMeeting(ann, daysAhead: 2)
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com")
        h.clock.advance(by: EngineHarness.hold)
        // The "dead" worker claims, migrates one meeting (as the engine would), then vanishes.
        let claim = try #require(try await h.store.claimDueMigrations(now: h.clock.now(), owner: "dead", leaseDuration: .seconds(120), limit: 1).first)
        var rewritten = done
        rewritten.body = done.body + "\n<!-- migrated by the dead worker -->"
        try await h.store.recordMeetingOutcome(
            MeetingOutcomeRecord(correlationId: claim.record.correlationId, meeting: done.id, subject: done.subject, outcome: .migrated, reason: "ok", recorded: h.clock.now()),
            rewrite: MeetingRewrite(expectedVersion: done.version, rewritten: rewritten), invitation: nil, lease: claim.lease)
        #expect(try await h.engine.runDueWork(owner: "alive") == 0, "a live lease is respected")
        h.clock.advance(by: .seconds(121))
        #expect(try await h.engine.runDueWork(owner: "alive") == 1)
        #expect(try await h.meeting(done.id).version == done.version + 1, "the dead worker's meeting is not updated again")
        #expect(try await h.meeting(left.id).version == left.version + 1)
        let record = try #require(try await h.engine.migrationStatus(correlationId: claim.record.correlationId))
        #expect(record.state == .succeeded && record.succeededMeetings == 2)
        await #expect(throws: MigrationStoreConflict.self) {
            try await h.store.finishMigration(claim.lease, state: .failed, message: "late", now: h.clock.now())
        }
    }

    @Test("Lease: a migration whose worker dies at every attempt is failed after the allowed claims instead of looping")
    func crashLoop() async throws {
        let h = try await EngineHarness.make(configuration: MigrationEngineConfiguration(leaseDuration: .seconds(60), maximumClaims: 3))
        let ann = try await h.addUser(Fixtures.user("ann"))
        let meeting = try await h.addMeeting(ann)
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com")
        h.clock.advance(by: EngineHarness.hold)
        for dead in 1...3 {
            let claim = try await h.store.claimDueMigrations(now: h.clock.now(), owner: "dead\(dead)", leaseDuration: .seconds(60), limit: 1)
            #expect(claim.first?.claimCount == dead)
            h.clock.advance(by: .seconds(61))
        }
        #expect(try await h.engine.runDueWork() == 1)
        let record = try #require(try await h.status(ann).first)
        #expect(record.state == .failed && record.lastMessage.contains("interrupted 3 times"))
        #expect(try await h.meeting(meeting.id) == meeting)
    }

    @Test("S1: status records carry the Get-CsMeetingMigrationStatus fields; queries filter and the summary counts users per state")
    func status() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let bob = try await h.addUser(Fixtures.user("bob"))
        try await h.addMeeting(ann)
        let created = h.clock.now()
        let queued = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", target: .teams)
        try await h.passHoldAndRun()
        h.clock.advance(by: .seconds(3600))
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "bob@contoso.com")
        let record = try #require(try await h.engine.migrationStatus(tenant: h.tenant, query: StatusQuery(identity: "ANN@contoso.com")).first)
        #expect(record.correlationId == queued.record?.correlationId && record.userId == ann.id && record.userPrincipalName == "ann@contoso.com")
        #expect(record.state == .succeeded && record.migrationType == .allToTeams && record.retryCount == 0 && record.lastMessage.isEmpty)
        #expect(record.createDate == created && record.modifiedDate == created.adding(EngineHarness.hold))
        #expect(record.totalMeetings == 1 && record.succeededMeetings == 1 && record.failedMeetings == 0 && record.invitesUpdated == 1)
        let pending = try await h.engine.migrationStatus(tenant: h.tenant, query: StatusQuery(state: .pending))
        #expect(pending.map(\.userId) == [bob.id])
        let window = try await h.engine.migrationStatus(tenant: h.tenant, query: StatusQuery(start: created, end: created.adding(EngineHarness.hold)))
        #expect(window.map(\.userId) == [ann.id])
        let summary = try await h.engine.migrationSummary(tenant: h.tenant)
        #expect(summary == [.pending: 1, .inProgress: 0, .failed: 0, .succeeded: 1])
    }

    @Test("Outbox: an invitation the sender refuses stays queued without holding back the others, and is sent once accepted")
    func outboxPoisonDoesNotBlock() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteMigrationStore(directory: directory.path)
        let clock = ManualClock()
        let sender = PickySender(StoreInvitationSender(store: store, clock: clock), refusing: nil)
        let engine = MigrationEngine(store: store, clock: clock, sender: sender)
        try await engine.saveBridge(Fixtures.bridge)
        let ann = try await engine.createUser(Fixtures.user("ann"))
        var meetings: [CalendarMeeting] = []
        for day in 1...3 {
            let start = clock.now().addingTimeInterval(Double(day) * 86_400)
            meetings.append(try await engine.scheduleMeeting(tenant: Fixtures.tenant, NewMeeting(
                organizer: ann.userPrincipalName, attendees: ["bob@contoso.com"], start: start, end: start.addingTimeInterval(600),
                subject: "M\(day)", body: "x", bodyFormat: .html, kind: .skypeOnline)))
        }
        sender.refusedMeeting.withLock { $0 = meetings[0].id }  // the oldest invitation is the poison one
        _ = try await engine.startMeetingMigration(tenant: Fixtures.tenant, identity: ann.userPrincipalName, target: .teams)
        clock.advance(by: EngineHarness.hold)
        try await engine.runDueWork()
        #expect(try await store.deliveries(forMeeting: meetings[0].id).isEmpty)
        #expect(try await store.deliveries(forMeeting: meetings[1].id).count == 1)
        #expect(try await store.deliveries(forMeeting: meetings[2].id).count == 1)
        #expect(try await store.unsentInvitations(limit: 10).map(\.meeting) == [meetings[0].id])
        sender.refusedMeeting.withLock { $0 = nil }
        // A refused invitation waits its backoff (issue 10) before it is tried again.
        #expect(try await engine.dispatchOutbox() == 0)
        clock.advance(by: MigrationEngineConfiguration.defaults.outboxRetryDelay)
        #expect(try await engine.dispatchOutbox() == 1)
        #expect(try await store.deliveries(forMeeting: meetings[0].id).count == 1)
        #expect(try await store.unsentInvitations(limit: 10).isEmpty)
    }

    @Test("S2: status records are kept 150 days, then pruned")
    func prune() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        try await h.addMeeting(ann, daysAhead: 200)
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com")
        try await h.passHoldAndRun()
        h.clock.advance(by: .seconds(149 * 86_400))
        #expect(try await h.engine.pruneStatusRecords() == 0)
        #expect(try await h.status(ann).count == 1)
        h.clock.advance(by: .seconds(1 * 86_400))
        #expect(try await h.engine.pruneStatusRecords() == 1)
        #expect(try await h.status(ann).isEmpty)
    }

    @Test("Workers: run() processes due migrations in the background with several workers and stops on cancellation")
    func runLoop() async throws {
        let h = try await EngineHarness.make(configuration: MigrationEngineConfiguration(workerCount: 3, pollInterval: .seconds(1)))
        var users: [User] = []
        for index in 0..<6 {
            let user = try await h.addUser(Fixtures.user("w\(index)"))
            try await h.addMeeting(user)
            _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: user.userPrincipalName, target: .teams)
            users.append(user)
        }
        let engine = h.engine
        let task = Task { try await engine.run() }
        let deadline = Date().addingTimeInterval(60)
        var succeeded = 0
        while Date() < deadline {
            h.clock.advance(by: .seconds(60))
            try await Task.sleep(for: .milliseconds(20))
            succeeded = try await h.engine.migrationSummary(tenant: h.tenant)[.succeeded] ?? 0
            let unsent = try await h.store.unsentInvitations(limit: 10)
            if succeeded == users.count && unsent.isEmpty { break }
        }
        task.cancel()
        try await task.value
        #expect(succeeded == users.count)
        #expect(try await h.store.unsentInvitations(limit: 10).isEmpty)
    }
}

/// A sender that refuses one meeting's invitations while told to, and records the others.
final class PickySender: InvitationSender {
    let base: any InvitationSender
    let refusedMeeting: Mutex<MeetingID?>
    init(_ base: any InvitationSender, refusing meeting: MeetingID?) {
        self.base = base
        refusedMeeting = Mutex(meeting)
    }
    func deliver(_ invitation: OutgoingInvitation) async throws -> InvitationDelivery {
        if refusedMeeting.withLock({ $0 }) == invitation.meeting { throw ConferencingError("mailbox full") }
        return try await base.deliver(invitation)
    }
}

/// Fires a trigger once, from inside a running migration.
final class LockedTrigger: Sendable {
    let trigger: Mutex<(@Sendable () async throws -> EnqueueOutcome)?>
    let observed: Mutex<[EnqueueOutcome]>
    init() {
        trigger = Mutex(nil)
        observed = Mutex([])
    }
    func fireOnce() async {
        guard let action = trigger.withLock({ value -> (@Sendable () async throws -> EnqueueOutcome)? in
            defer { value = nil }
            return value
        }) else { return }
        if let outcome = try? await action() { observed.withLock { $0.append(outcome) } }
    }
}

/// Runs an action before scheduling, to act in the middle of a migration.
final class Hook: ConferencingService {
    let base: any ConferencingService
    let action: @Sendable () async -> Void
    init(_ base: any ConferencingService, _ action: @escaping @Sendable () async -> Void) { self.base = base; self.action = action }
    var kind: MeetingKind { base.kind }
    func lookUp(joinURL: String) async throws -> OnlineMeeting? { try await base.lookUp(joinURL: joinURL) }
    func schedule(for calendarMeeting: CalendarMeeting, organizer: User) async throws -> OnlineMeeting {
        await action()
        return try await base.schedule(for: calendarMeeting, organizer: organizer)
    }
}
