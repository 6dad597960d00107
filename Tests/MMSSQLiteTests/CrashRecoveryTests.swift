import Foundation
import MMSCore
import MMSCoreTesting
import MMSSQLite
import Testing

/// A real process, killed with SIGKILL at awkward moments, then restarted on the same data directory.
@Suite("Crash recovery (kill -9)", .serialized)
struct CrashRecoveryTests {
    let tenant = TenantID("crash")

    @Test("Crash recovery: killed twice mid-migration, the restarted engine finishes with no meeting updated twice and no invitation sent twice")
    func killMidMigration() async throws {
        let directory = try TemporaryDirectory(prefix: "mms-crash")
        let users = 8, meetingsPerUser = 12
        let seed = try ChildProcess(["seed", directory.path, "\(users)", "\(meetingsPerUser)"])
        #expect(seed.waitForExit() == 0, "seed failed: \(seed.standardError)")

        for kill in 1...2 {
            // Each run schedules 15 more meetings, then hangs mid-migration (workers inside the
            // conferencing service, leases held, invitations half sent) and is killed there.
            let worker = try ChildProcess(["run", directory.path, "15"])
            try await worker.waitFor("15 meetings scheduled") { $0.filter { $0.hasPrefix("scheduled ") }.count >= 15 }
            worker.killHard()
            #expect(!worker.output.contains("done"), "kill \(kill) came too late to be mid-migration")
        }
        let midway = try SQLiteMigrationStore(directory: directory.path)
        let summary = try await midway.migrationSummary(tenant, filter: StatusFilter())
        #expect((summary[.succeeded] ?? 0) < users, "the kills landed before the end: \(summary)")

        // Let the killed workers' leases (2 s) expire, then restart and finish.
        try await Task.sleep(for: .seconds(2.5))
        let final = try ChildProcess(["run", directory.path])
        try await final.waitFor("done", timeout: 240) { $0.contains("done") }
        #expect(final.waitForExit() == 0)

        let store = try SQLiteMigrationStore(directory: directory.path)
        let records = try await store.migrationStatus(tenant, filter: StatusFilter())
        #expect(records.count == users)
        for record in records {
            #expect(record.state == .succeeded, "\(record.userPrincipalName): \(record.state) \(record.lastMessage)")
            #expect(record.succeededMeetings == meetingsPerUser && record.invitesUpdated == meetingsPerUser && record.failedMeetings == 0)
            let meetings = try await store.meetings(tenant, organizedBy: record.userId, startingFrom: Date(timeIntervalSince1970: 0))
            #expect(meetings.count == meetingsPerUser)
            for meeting in meetings {
                #expect(meeting.version == 2, "meeting \(meeting.id) written \(meeting.version - 1) times by migrations")
                #expect(meeting.kind == .teams)
                let block = InvitationBlock.find(in: meeting.body, format: meeting.bodyFormat).first
                let online = try await store.onlineMeeting(tenant, calendarMeeting: meeting.id, kind: .teams)
                #expect(block?.joinURL == online?.joinURL, "the body points at the one Teams meeting scheduled for it")
                let deliveries = try await store.deliveries(forMeeting: meeting.id)
                #expect(deliveries.count == 1, "meeting \(meeting.id) delivered \(deliveries.count) times")
                #expect(deliveries.first.map { Array($0.invitation.body.utf8) } == Array(meeting.body.utf8))
                let invitations = try await store.invitations(forMeeting: meeting.id)
                #expect(invitations.count == 1 && invitations.allSatisfy { $0.sent != nil })
            }
        }
        #expect(try await store.unsentInvitations(limit: 10).isEmpty)
    }

    @Test("Crash recovery: killed at random points while batches of meetings are planned and committed (issue 11), the restarted engine records every meeting exactly once")
    func killMidBatch() async throws {
        let directory = try TemporaryDirectory(prefix: "mms-crash-batch")
        // 150 meetings per user: each migration is three batches (64, 64, 22), and three workers
        // plan at once (each commits after its 64th plan), so kills after 200 to 380 plans land
        // before, inside and between batch commits, and three of them never reach the end.
        let users = 8, meetingsPerUser = 150
        let seed = try ChildProcess(["seed", directory.path, "\(users)", "\(meetingsPerUser)"])
        #expect(seed.waitForExit() == 0, "seed failed: \(seed.standardError)")

        var generator = SystemRandomNumberGenerator()
        for kill in 1...3 {
            let worker = try ChildProcess(["run", directory.path])
            let point = Int.random(in: 200...380, using: &generator)
            try await worker.waitFor("\(point) meetings planned") { $0.filter { $0.hasPrefix("scheduled ") }.count >= point }
            worker.killHard()
            #expect(!worker.output.contains("done"), "kill \(kill) came too late")
            // Let the killed worker's leases (2 s) expire before the next run.
            try await Task.sleep(for: .seconds(2.2))
        }
        let midway = try SQLiteMigrationStore(directory: directory.path)
        let records = try await midway.migrationStatus(tenant, filter: StatusFilter())
        let recorded = records.map(\.totalMeetings).reduce(0, +)
        #expect(recorded > 0 && recorded < users * meetingsPerUser, "the kills landed after some batches committed and before the end: \(recorded) recorded")

        let final = try ChildProcess(["run", directory.path])
        try await final.waitFor("done", timeout: 240) { $0.contains("done") }
        #expect(final.waitForExit() == 0)
        try await expectMigratedExactlyOnce(directory: directory.path, users: users, meetingsPerUser: meetingsPerUser)
    }

    /// Every migration succeeded; every meeting rewritten once, pointing at its one online meeting,
    /// delivered once with its exact body; nothing left unsent.
    func expectMigratedExactlyOnce(directory: String, users: Int, meetingsPerUser: Int) async throws {
        let store = try SQLiteMigrationStore(directory: directory)
        let records = try await store.migrationStatus(tenant, filter: StatusFilter())
        #expect(records.count == users)
        for record in records {
            #expect(record.state == .succeeded, "\(record.userPrincipalName): \(record.state) \(record.lastMessage)")
            #expect(record.succeededMeetings == meetingsPerUser && record.invitesUpdated == meetingsPerUser && record.failedMeetings == 0)
            let meetings = try await store.meetings(tenant, organizedBy: record.userId, startingFrom: Date(timeIntervalSince1970: 0))
            #expect(meetings.count == meetingsPerUser)
            let online = try await store.onlineMeetings(tenant, organizedBy: record.userId).filter { $0.kind == .teams }
            #expect(online.count == meetingsPerUser, "one Teams meeting scheduled per meeting, got \(online.count)")
            for meeting in meetings {
                #expect(meeting.version == 2, "meeting \(meeting.id) written \(meeting.version - 1) times by migrations")
                #expect(meeting.kind == .teams)
                let block = InvitationBlock.find(in: meeting.body, format: meeting.bodyFormat).first
                let scheduled = try await store.onlineMeeting(tenant, calendarMeeting: meeting.id, kind: .teams)
                #expect(block?.joinURL == scheduled?.joinURL, "the body points at the one Teams meeting scheduled for it")
                let deliveries = try await store.deliveries(forMeeting: meeting.id)
                #expect(deliveries.count == 1 && deliveries.first?.attempts == 1, "meeting \(meeting.id) delivered \(deliveries.count) times")
                #expect(deliveries.first.map { Array($0.invitation.body.utf8) } == Array(meeting.body.utf8))
                let invitations = try await store.invitations(forMeeting: meeting.id)
                #expect(invitations.count == 1 && invitations.allSatisfy { $0.sent != nil })
            }
        }
        #expect(try await store.unsentInvitations(limit: 10).isEmpty)
    }

    @Test("Enqueue is durable before it is acknowledged: after kill -9 every acknowledged request is there")
    func enqueueDurability() async throws {
        let directory = try TemporaryDirectory(prefix: "mms-crash-enqueue")
        let driver = try ChildProcess(["enqueue", directory.path, "400"])
        try await driver.waitFor("100 acknowledgements") { $0.filter { $0.hasPrefix("ack ") }.count >= 100 }
        driver.killHard()
        let acknowledged = driver.output.filter { $0.hasPrefix("ack ") }.map { CorrelationID(String($0.dropFirst(4))) }
        #expect(acknowledged.count >= 100)
        let store = try SQLiteMigrationStore(directory: directory.path)
        for id in acknowledged {
            let record = try await store.migrationStatus(id)
            #expect(record?.state == .pending, "acknowledged \(id) lost")
        }
    }
}
