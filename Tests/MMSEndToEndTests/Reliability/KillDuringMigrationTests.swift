import Foundation
import MMSClient
import Testing

extension Reliability {
    /// kill -9 of `mms-server` while its workers migrate meetings with the built-in sender (the
    /// embedded default: invitations recorded in the `deliveries` table of the same database).
    /// The SMTP and CalDAV kinds are `MailDeliveryTests.killDuringBatch` ("R5: kill -9 …") and
    /// `CalDAVMailboxTests.killDuringMigration` ("Issue 17, R4: kill -9 …").
    @Suite("kill -9 during migrations")
    struct KillDuringMigration {
        @Test("M2, R4, R5: kill -9 in the middle of migrations with the built-in sender: every meeting migrated once, SEQUENCE raised once, one invitation each")
        func builtInSender() async throws {
            let rounds = Knobs.int("MMS_KILL_MIGRATION_ROUNDS", 1)
            for round in 1...rounds { try await self.round(round) }
        }

        func round(_ round: Int) async throws {
            let users = Knobs.int("MMS_KILL_MIGRATION_USERS", 4)
            let meetingsPerUser = Knobs.int("MMS_KILL_MIGRATION_MEETINGS", 50)
            let server = try await ServerProcess.start(ServerProcess.Settings(hold: "0", workers: 2, extra: ["--lease", "2s"]))
            defer { Task { await server.tearDown() } }
            let tenant = try await APITenant.make(on: server, name: "killmig")
            try await tenant.createUsers(users, homing: .onPremises)
            let start = Date().addingTimeInterval(86_400)
            var meetingIds: [String] = []
            for user in 0..<users {
                for index in 0..<meetingsPerUser {
                    let meeting = try await tenant.admin.call(CalendarServiceMethods.addMeeting, AddMeetingRequest(meeting: Meeting(
                        organizer: tenant.identity(user), attendees: ["a\(user)-\(index)@fabrikam.example.com", "b\(user)-\(index)@fabrikam.example.com"],
                        startMicros: Int64(start.timeIntervalSince1970 * 1e6) + Int64(index) * 3_600_000_000,
                        endMicros: Int64(start.timeIntervalSince1970 * 1e6) + Int64(index) * 3_600_000_000 + 1_800_000_000,
                        subject: "Sync \(index)", body: "<p>Agenda \(index)</p>", bodyFormat: .html, kind: .skypeOnPremises,
                        createdThroughService: true)))
                    #expect(meeting.version <= 1)
                    meetingIds.append(meeting.meetingId)
                }
            }
            let total = users * meetingsPerUser
            let versionsBefore = try await Self.versions(meetingIds, tenant.admin)

            // T1 for every user at once, then kill once a random share of the meetings is done.
            for user in 0..<users {
                _ = try await tenant.admin.call(DirectoryServiceMethods.moveUser, MoveUserRequest(identity: tenant.identity(user), to: .online))
            }
            let killAt = Int.random(in: max(1, total / 10)...(total * 6 / 10))
            var doneAtKill = 0
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let records = try await tenant.admin.migrationStatus(GetMigrationStatusRequest()).records
                doneAtKill = records.reduce(0) { $0 + Int($1.succeededMeeting) }
                if doneAtKill >= killAt { break }
                try await Task.sleep(for: .milliseconds(2))
            }
            server.kill()
            #expect(doneAtKill >= killAt && doneAtKill < total, "the kill landed mid-migration: \(doneAtKill) of \(total) meetings done")

            let restartBegan = ContinuousClock.now
            try await server.restart()
            let restart = ContinuousClock.now - restartBegan
            let client = try tenant.client(on: server)
            let finishDeadline = ContinuousClock.now + .seconds(120)
            var records: [MigrationStatus] = []
            while ContinuousClock.now < finishDeadline {
                records = try await client.migrationStatus(GetMigrationStatusRequest()).records
                if records.count == users && records.allSatisfy({ $0.state == .succeeded }) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let recovered = ContinuousClock.now - restartBegan
            #expect(records.count == users && records.allSatisfy { $0.state == .succeeded }, "\(records)")
            for record in records {
                #expect(record.succeededMeeting == UInt32(meetingsPerUser) && record.invitesUpdate == UInt32(meetingsPerUser), "\(record)")
            }
            // Each meeting's version (its SEQUENCE) rose exactly once, and it has one invitation, sent.
            let versionsAfter = try await Self.versions(meetingIds, client)
            var raisedOtherThanOnce: [String] = []
            for id in meetingIds where versionsAfter[id] != versionsBefore[id]! + 1 {
                raisedOtherThanOnce.append("\(id): \(versionsBefore[id]!) → \(versionsAfter[id] ?? 0)")
            }
            // The outbox dispatcher sends after the migration has recorded its meetings: wait for it.
            var invitationsOtherThanOne: [String] = []
            let sentDeadline = ContinuousClock.now + .seconds(60)
            repeat {
                invitationsOtherThanOne = []
                for id in meetingIds {
                    let invitations = try await client.call(CalendarServiceMethods.listInvitations, ListInvitationsRequest(meetingId: id)).invitations
                    if invitations.count != 1 || invitations[0].sentMicros == 0 {
                        invitationsOtherThanOne.append("\(id): \(invitations.count) invitations, sent: \(invitations.map { $0.sentMicros != 0 })")
                    }
                }
                if invitationsOtherThanOne.isEmpty { break }
                try await Task.sleep(for: .milliseconds(200))
            } while ContinuousClock.now < sentDeadline
            await client.close()
            #expect(raisedOtherThanOnce.isEmpty, "SEQUENCE not raised exactly once: \(raisedOtherThanOnce.prefix(5))")
            #expect(invitationsOtherThanOne.isEmpty, "\(invitationsOtherThanOne.count) meetings without one sent invitation, e.g. \(invitationsOtherThanOne.prefix(3))")

            // The built-in sender's deliveries: one row per meeting (keyed by the invitation id, so a
            // resend after the kill is counted in `attempts`, never delivered twice). An attempt > 1
            // is the window of this sender: delivered, killed before the outbox row was marked sent.
            try await server.stop()
            let deliveries = try SQLiteProbe.python(server.dataDirectory.appendingPathComponent("mms.sqlite").path, """
                rows = db.execute("SELECT meeting, COUNT(*), SUM(attempts) FROM deliveries GROUP BY meeting").fetchall()
                for meeting, count, attempts in rows:
                    print(meeting, count, attempts)
                """).split(separator: "\n").map { $0.split(separator: " ") }
            let delivered = Dictionary(uniqueKeysWithValues: deliveries.map { (String($0[0]), (Int($0[1])!, Int($0[2])!)) })
            let duplicates = delivered.values.filter { $0.0 > 1 }.count
            let reattempted = delivered.values.filter { $0.1 > 1 }.count
            #expect(reattempted <= 1, "one dispatcher sends one invitation at a time: at most the one in flight at the kill is sent again, not \(reattempted)")
            let undelivered = Set(meetingIds).subtracting(delivered.keys).count
            #expect(undelivered == 0 && delivered.count == total, "a delivery for every meeting: \(delivered.count) of \(total), \(undelivered) missing")
            #expect(duplicates == 0, "\(duplicates) meetings delivered more than once")
            Knobs.report("kill-migration-builtin", [
                "round": round, "meetings": total, "done_at_kill": doneAtKill, "sequence_not_once": raisedOtherThanOnce.count,
                "invitations_not_one": invitationsOtherThanOne.count, "duplicate_deliveries": duplicates, "reattempted_deliveries": reattempted,
                "restart_ms": Int(restart / .milliseconds(1)), "recovered_ms": Int(recovered / .milliseconds(1)),
            ])
        }

        static func versions(_ ids: [String], _ client: MMSClient) async throws -> [String: UInt32] {
            var versions: [String: UInt32] = [:]
            for id in ids {
                versions[id] = try await client.call(CalendarServiceMethods.getMeeting, GetMeetingRequest(meetingId: id)).version
            }
            return versions
        }
    }
}
