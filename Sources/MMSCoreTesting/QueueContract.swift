import Foundation
import MMSCore

enum QueueContract {
    static let all = MigrationScope(source: .all, target: .current)
    static let toTeams = MigrationScope(skypeMeetings: .convertToTeams, teamsMeetings: false)

    static func enqueueCreatesPending(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann")
        let store = try await seededStore(makeStore, users: [ann])
        let outcome = try await store.enqueueMigration(for: ann, scope: all, parameters: parameters(start))
        guard case .queued(let record) = outcome else { throw ContractFailure("expected queued, got \(outcome)") }
        try require(record.state == .pending, "state \(record.state)")
        try require(record.userId == ann.id && record.userPrincipalName == ann.userPrincipalName, "user fields")
        try require(record.createDate == start && record.modifiedDate == start, "dates \(record.createDate)")
        try require(record.retryCount == 0 && record.totalMeetings == 0 && record.triggerCount == 1, "counters")
        try require(record.migrationType == .toSameType, "type \(record.migrationType)")
        let due = try await store.nextDueDate()
        try require(due == start.adding(hold), "due \(String(describing: due))")
        let read = try await store.migrationStatus(record.correlationId)
        try require(read == record, "read back \(String(describing: read))")
    }

    static func mergeRestartsHold(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann")
        let store = try await seededStore(makeStore, users: [ann])
        let first = try await store.enqueueMigration(
            for: ann, scope: MigrationScope(source: .teams, target: .current), parameters: parameters(start))
        let later = start.addingTimeInterval(60 * 60)
        let second = try await store.enqueueMigration(for: ann, scope: toTeams, parameters: parameters(later, "T3"))
        guard case .merged(let merged) = second else { throw ContractFailure("expected merged, got \(second)") }
        try require(merged.correlationId == first.record?.correlationId, "merge keeps the correlation id")
        try require(merged.scope == MigrationScope(skypeMeetings: .convertToTeams, teamsMeetings: true), "union \(merged.scope)")
        try require(merged.triggerCount == 2, "trigger count \(merged.triggerCount)")
        try require(merged.createDate == start && merged.modifiedDate == later, "dates")
        let due = try await store.nextDueDate()
        try require(due == later.adding(hold), "hold restarted: due \(String(describing: due))")
        let claimedEarly = try await store.claimDueMigrations(now: start.adding(hold), owner: "w", leaseDuration: .seconds(60), limit: 5)
        try require(claimedEarly.isEmpty, "not due at the first trigger's hold end")
        let records = try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter())
        try require(records.count == 1, "one record for both triggers, got \(records.count)")
    }

    static func claimRespectsHold(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann")
        let store = try await seededStore(makeStore, users: [ann])
        let queued = try await store.enqueueMigration(for: ann, scope: all, parameters: parameters(start))
        let early = try await store.claimDueMigrations(
            now: start.adding(hold).addingTimeInterval(-1), owner: "w", leaseDuration: .seconds(60), limit: 5)
        try require(early.isEmpty, "claimed \(early.count) before the hold")
        let due = try await store.claimDueMigrations(now: start.adding(hold), owner: "w", leaseDuration: .seconds(60), limit: 5)
        try require(due.count == 1 && due[0].record.correlationId == queued.record?.correlationId, "claimed at the hold's end")
        try require(due[0].record.state == .inProgress, "in progress once claimed")
        try require(due[0].lease.expires == start.adding(hold).addingTimeInterval(60), "lease expiry")
    }

    static func followUp(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann")
        let store = try await seededStore(makeStore, users: [ann])
        _ = try await store.enqueueMigration(for: ann, scope: all, parameters: parameters(start))
        let now = start.adding(hold)
        let claim = try await store.claimDueMigrations(now: now, owner: "w", leaseDuration: .seconds(600), limit: 1)[0]
        let during = try await store.enqueueMigration(for: ann, scope: toTeams, parameters: EnqueueParameters(now: now, hold: .zero, trigger: "T3"))
        guard case .followUp(let follow) = during else { throw ContractFailure("expected follow-up, got \(during)") }
        try require(follow.followUpOf == claim.record.correlationId, "follow-up names the running migration")
        try require(follow.correlationId != claim.record.correlationId && follow.state == .pending, "a new pending record")
        let again = try await store.enqueueMigration(for: ann, scope: all, parameters: EnqueueParameters(now: now, hold: .zero, trigger: "T2"))
        guard case .merged(let merged) = again, merged.correlationId == follow.correlationId else {
            throw ContractFailure("a second trigger merges into the follow-up, got \(again)")
        }
        // Every way of reading a record gives the same record, field by field (the listing by
        // principal name and the lookup by id may be read by different code).
        let listed = try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter(principalName: ann.userPrincipalName))
        try require(listed.count == 2 && listed.contains(merged), "the listing holds the merged follow-up as the merge returned it")
        for record in listed {
            let byId = try await store.migrationStatus(record.correlationId)
            try require(byId == record, "by id \(String(describing: byId)) differs from listed \(record)")
        }
        let blocked = try await store.claimDueMigrations(now: now.addingTimeInterval(1), owner: "w2", leaseDuration: .seconds(600), limit: 5)
        try require(blocked.isEmpty, "the follow-up waits for the running migration (got \(blocked.map(\.record.correlationId)))")
        try await store.finishMigration(claim.lease, state: .succeeded, message: "", now: now.addingTimeInterval(2))
        let next = try await store.claimDueMigrations(now: now.addingTimeInterval(3), owner: "w2", leaseDuration: .seconds(600), limit: 5)
        try require(next.count == 1 && next[0].record.correlationId == follow.correlationId, "follow-up claimed after the first ended")
    }

    static func leaseExpiry(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann")
        let store = try await seededStore(makeStore, users: [ann])
        _ = try await store.enqueueMigration(for: ann, scope: all, parameters: parameters(start))
        let now = start.adding(hold)
        let first = try await store.claimDueMigrations(now: now, owner: "dead", leaseDuration: .seconds(60), limit: 1)[0]
        let during = try await store.claimDueMigrations(now: now.addingTimeInterval(59), owner: "other", leaseDuration: .seconds(60), limit: 1)
        try require(during.isEmpty, "a live lease is not reclaimed")
        let renewed = try await store.renewLease(first.lease, now: now.addingTimeInterval(30), duration: .seconds(60))
        try require(renewed.expires == now.addingTimeInterval(90), "renewal extends the lease")
        let stillLive = try await store.claimDueMigrations(now: now.addingTimeInterval(80), owner: "other", leaseDuration: .seconds(60), limit: 1)
        try require(stillLive.isEmpty, "a renewed lease is not reclaimed")
        let taken = try await store.claimDueMigrations(now: now.addingTimeInterval(91), owner: "other", leaseDuration: .seconds(60), limit: 1)
        try require(taken.count == 1 && taken[0].lease.token > first.lease.token, "expired lease reclaimed with a newer token")
        try require(first.claimCount == 1 && taken[0].claimCount == 2, "claims counted: \(first.claimCount), \(taken[0].claimCount)")
        do {
            try await store.finishMigration(first.lease, state: .succeeded, message: "", now: now.addingTimeInterval(92))
            throw ContractFailure("the old holder could still write")
        } catch MigrationStoreConflict.leaseLost(let id) {
            try require(id == first.record.correlationId, "leaseLost names the migration")
        }
        let record = try await store.migrationStatus(first.record.correlationId)
        try require(record?.state == .inProgress, "the fenced write changed nothing")
    }

    static func singleClaim(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let users = (0..<6).map { Fixtures.user("user\($0)") }
        let store = try await seededStore(makeStore, users: users)
        for user in users { _ = try await store.enqueueMigration(for: user, scope: all, parameters: parameters(start)) }
        let now = start.adding(hold)
        let claims = try await withThrowingTaskGroup(of: [ClaimedMigration].self) { group in
            for worker in 0..<4 {
                group.addTask { try await store.claimDueMigrations(now: now, owner: "w\(worker)", leaseDuration: .seconds(60), limit: 2) }
            }
            var collected: [ClaimedMigration] = []
            for try await batch in group { collected += batch }
            return collected
        }
        let ids = claims.map(\.record.correlationId)
        try require(ids.count == 6 && Set(ids).count == 6, "each migration claimed exactly once: \(ids.count) claims, \(Set(ids).count) distinct")
    }

    static func reschedule(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let ann = Fixtures.user("ann")
        let store = try await seededStore(makeStore, users: [ann])
        _ = try await store.enqueueMigration(for: ann, scope: all, parameters: parameters(start))
        let now = start.adding(hold)
        let claim = try await store.claimDueMigrations(now: now, owner: "w", leaseDuration: .seconds(60), limit: 1)[0]
        let retryAt = now.addingTimeInterval(300)
        try await store.rescheduleMigration(claim.lease, retryAt: retryAt, message: "bridge missing", now: now.addingTimeInterval(1))
        let record = try await store.migrationStatus(claim.record.correlationId)
        try require(record?.retryCount == 1 && record?.lastMessage == "bridge missing" && record?.state == .inProgress, "retry recorded: \(String(describing: record))")
        let early = try await store.claimDueMigrations(now: retryAt.addingTimeInterval(-1), owner: "w", leaseDuration: .seconds(60), limit: 1)
        try require(early.isEmpty, "not claimed before the retry time")
        let due = try await store.claimDueMigrations(now: retryAt, owner: "w", leaseDuration: .seconds(60), limit: 1)
        try require(due.count == 1 && due[0].record.retryCount == 1, "claimed at the retry time")
    }

    static func concurrentEnqueues(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let users = (0..<40).map { Fixtures.user("bulk\($0)") }
        let store = try await seededStore(makeStore, users: users)
        let outcomes = try await withThrowingTaskGroup(of: EnqueueOutcome.self) { group in
            for user in users {
                for trigger in 0..<3 {
                    group.addTask { try await store.enqueueMigration(for: user, scope: all, parameters: parameters(start, "T\(trigger)")) }
                }
            }
            var collected: [EnqueueOutcome] = []
            for try await outcome in group { collected.append(outcome) }
            return collected
        }
        try require(outcomes.allSatisfy(\.isQueued), "every enqueue acknowledged")
        let records = try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter(limit: 1000))
        try require(records.count == 40, "one pending migration per user, got \(records.count)")
        try require(records.allSatisfy { $0.triggerCount == 3 }, "three triggers merged per user")
    }

    static func blockedFollowUpsDoNotStarve(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let busy = (0..<60).map { Fixtures.user("busy\($0)") }
        let late = Fixtures.user("late")
        let store = try await seededStore(makeStore, users: busy + [late])
        for user in busy { _ = try await store.enqueueMigration(for: user, scope: all, parameters: parameters(start)) }
        let now = start.adding(hold)
        let running = try await store.claimDueMigrations(now: now, owner: "w", leaseDuration: .seconds(3600), limit: 100)
        try require(running.count == busy.count, "all busy users claimed")
        for user in busy {
            let outcome = try await store.enqueueMigration(
                for: user, scope: toTeams, parameters: EnqueueParameters(now: now, hold: .zero, trigger: "T3"))
            guard case .followUp = outcome else { throw ContractFailure("expected a follow-up, got \(outcome)") }
        }
        _ = try await store.enqueueMigration(
            for: late, scope: all, parameters: EnqueueParameters(now: now.addingTimeInterval(1), hold: .zero, trigger: "T4"))
        let claimed = try await store.claimDueMigrations(now: now.addingTimeInterval(2), owner: "w2", leaseDuration: .seconds(60), limit: 1)
        try require(
            claimed.map(\.record.userId) == [late.id],
            "the free user is claimed past 60 blocked follow-ups, got \(claimed.map(\.record.userPrincipalName))")
    }
}
