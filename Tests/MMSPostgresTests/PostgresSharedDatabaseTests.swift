import Foundation
import MMSCore
import MMSCoreTesting
import MMSPostgres
import Synchronization
import Testing

/// Issue 12: several servers on one database. Each store here has its own pool, as each
/// `mms-server` process has: claims, the outbox and pruning must hold across them.
@Suite("PostgreSQL store: several servers on one database")
struct PostgresSharedDatabaseTests {
    static let now = ManualClock.defaultStart

    @Test("Claims: workers of three servers claiming at once never claim one migration twice, and claim them all")
    func concurrentClaims() async throws {
        try await PostgresFixture.with { fixture in
            let stores = [try await fixture.store(), try await fixture.store(), try await fixture.store()]
            let users = (0..<120).map { Fixtures.user("user\($0)") }
            for user in users {
                try await stores[0].createUser(user)
                _ = try await stores[0].enqueueMigration(
                    for: user, scope: MigrationScope(source: .all, target: .current), parameters: EnqueueParameters(now: Self.now, hold: .zero, trigger: "T4"))
            }
            let claimed = Collected<CorrelationID>()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, store) in stores.enumerated() {
                    for worker in 0..<4 {
                        group.addTask {
                            while true {
                                let batch = try await store.claimDueMigrations(
                                    now: Self.now.addingTimeInterval(1), owner: "s\(index)-w\(worker)", leaseDuration: .seconds(300), limit: 3)
                                if batch.isEmpty { return }
                                claimed.add(batch.map(\.record.correlationId))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let all = claimed.all
            #expect(all.count == users.count, "every migration claimed once: \(all.count)")
            #expect(Set(all).count == all.count, "no migration claimed twice")
        }
    }

    @Test("Outbox: dispatchers of three servers taking due invitations at once take each one exactly once")
    func outboxClaimedOnce() async throws {
        try await PostgresFixture.with { fixture in
            let stores = [try await fixture.store(), try await fixture.store(), try await fixture.store()]
            let ann = Fixtures.user("ann")
            try await stores[0].createUser(ann)
            _ = try await stores[0].enqueueMigration(
                for: ann, scope: MigrationScope(source: .all, target: .current), parameters: EnqueueParameters(now: Self.now, hold: .zero, trigger: "T4"))
            let claim = try #require(
                try await stores[0].claimDueMigrations(now: Self.now, owner: "w", leaseDuration: .seconds(600), limit: 1).first)
            var writes: [MeetingOutcomeWrite] = []
            for index in 0..<150 {
                let meeting = Fixtures.meeting(organizer: ann, start: Self.now.addingTimeInterval(Double(index + 1) * 3600))
                try await stores[0].saveMeeting(meeting)
                let invitation = OutgoingInvitation(
                    id: "\(claim.record.correlationId)/\(meeting.id)", correlationId: claim.record.correlationId, tenant: meeting.tenant,
                    meeting: meeting.id, organizerPrincipalName: ann.userPrincipalName, recipients: meeting.attendees, subject: meeting.subject,
                    body: "b\(index)", bodyFormat: meeting.bodyFormat, attachments: [], start: meeting.start, end: meeting.end, created: Self.now)
                writes.append(MeetingOutcomeWrite(
                    outcome: MeetingOutcomeRecord(
                        correlationId: claim.record.correlationId, meeting: meeting.id, subject: meeting.subject, outcome: .migrated,
                        reason: "ok", recorded: Self.now),
                    invitation: invitation))
            }
            #expect(try await stores[0].recordMeetingOutcomes(writes, lease: claim.lease).isEmpty)
            let taken = Collected<String>()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores {
                    group.addTask {
                        while true {
                            let batch = try await store.dueInvitations(limit: 7, now: Self.now)
                            if batch.isEmpty { return }
                            taken.add(batch.map(\.id))
                            try await store.recordDeliveriesAndMarkSent(batch, now: Self.now)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let ids = taken.all
            #expect(ids.count == 150 && Set(ids).count == 150, "each invitation taken by one server once: \(ids.count)")
            #expect(try await stores[1].unsentInvitations(limit: 10).isEmpty)
            // A taken invitation no server marked (its server died) is due again after the claim.
            #expect(try await stores[2].dueInvitations(limit: 10, now: Self.now.addingTimeInterval(3600)).isEmpty, "sent ones never come back")
        }
    }

    @Test("Lease: a write of a server whose lease another server took over is fenced off")
    func fencingAcrossServers() async throws {
        try await PostgresFixture.with { fixture in
            let first = try await fixture.store()
            let second = try await fixture.store()
            let ann = Fixtures.user("ann")
            try await first.createUser(ann)
            _ = try await first.enqueueMigration(
                for: ann, scope: MigrationScope(source: .all, target: .current), parameters: EnqueueParameters(now: Self.now, hold: .zero, trigger: "T4"))
            let old = try #require(try await first.claimDueMigrations(now: Self.now, owner: "a", leaseDuration: .seconds(60), limit: 1).first)
            #expect(try await second.claimDueMigrations(now: Self.now.addingTimeInterval(30), owner: "b", leaseDuration: .seconds(60), limit: 1).isEmpty)
            let new = try #require(
                try await second.claimDueMigrations(now: Self.now.addingTimeInterval(61), owner: "b", leaseDuration: .seconds(60), limit: 1).first)
            #expect(new.lease.token == old.lease.token + 1 && new.claimCount == 2)
            await #expect(throws: MigrationStoreConflict.leaseLost(old.record.correlationId)) {
                try await first.finishMigration(old.lease, state: .succeeded, message: "", now: Self.now.addingTimeInterval(62))
            }
            try await second.finishMigration(new.lease, state: .succeeded, message: "done", now: Self.now.addingTimeInterval(62))
            #expect(try await first.migrationStatus(old.record.correlationId)?.state == .succeeded)
        }
    }

    @Test("S2: pruning runs on one server at a time; together they delete each old migration once")
    func pruneOnce() async throws {
        try await PostgresFixture.with { fixture in
            let stores = [try await fixture.store(), try await fixture.store()]
            for index in 0..<20 {
                let user = Fixtures.user("u\(index)")
                try await stores[0].createUser(user)
                _ = try await stores[0].enqueueMigration(
                    for: user, scope: MigrationScope(source: .all, target: .current), parameters: EnqueueParameters(now: Self.now, hold: .zero, trigger: "T4"))
                let claim = try #require(try await stores[0].claimDueMigrations(now: Self.now, owner: "w", leaseDuration: .seconds(60), limit: 1).first)
                try await stores[0].finishMigration(claim.lease, state: .succeeded, message: "", now: Self.now)
            }
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for store in stores { group.addTask { try await store.pruneMigrations(createdBefore: Self.now.addingTimeInterval(1)) } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(counts.reduce(0, +) == 20, "each deleted once: \(counts)")
        }
    }
}

/// What concurrent tasks found, gathered under a lock.
final class Collected<Element: Sendable>: Sendable {
    private let elements = Mutex<[Element]>([])
    func add(_ more: [Element]) { elements.withLock { $0 += more } }
    var all: [Element] { elements.withLock { $0 } }
}
