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
