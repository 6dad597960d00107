import Foundation
import MMSClient
import Testing

@Suite("The API over RPC: validation, triggers, a whole migration, watch")
struct ApiTests {
    @Test("bad input is INVALID_ARGUMENT naming the field, and nothing is stored")
    func validation() async throws {
        let server = try await ServerFixture.start()
        let admin = try server.client(try await server.tenant("contoso").admin)
        let empty = await expectStatus(.invalidArgument) { _ = try await admin.startMeetingMigration(StartMeetingMigrationRequest(identity: "")) }
        #expect(empty?.message.contains("identity") == true)
        let malformed = await expectStatus(.invalidArgument) {
            _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "not an address")))
        }
        #expect(malformed?.message.contains("user.user_principal_name") == true)
        _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "ashaw@contoso.com")))
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let backwards = await expectStatus(.invalidArgument) {
            _ = try await admin.call(CalendarServiceMethods.addMeeting, AddMeetingRequest(meeting: Meeting(
                organizer: "ashaw@contoso.com", startMicros: now + 7_200_000_000, endMicros: now + 3_600_000_000,
                subject: "x", body: "x", bodyFormat: .plainText, kind: .teams
            )))
        }
        #expect(backwards?.message.contains("start_micros") == true)
        let tooBig = await expectStatus(.invalidArgument) {
            _ = try await admin.call(CalendarServiceMethods.addMeeting, AddMeetingRequest(meeting: Meeting(
                organizer: "ashaw@contoso.com", startMicros: now + 3_600_000_000, endMicros: now + 7_200_000_000,
                subject: "x", body: String(repeating: "é", count: 600_000), bodyFormat: .plainText, kind: .teams
            )))
        }
        #expect(tooBig?.message.contains("meeting.body") == true)
        #expect(try await admin.call(CalendarServiceMethods.listMeetings, ListMeetingsRequest(identity: "ashaw@contoso.com")).meetings.isEmpty)
        let window = await expectStatus(.invalidArgument) {
            _ = try await admin.migrationStatus(GetMigrationStatusRequest(startTimeMicros: now, endTimeMicros: now - 1))
        }
        #expect(window?.message.contains("start_time_micros") == true)
        await admin.close()
        try await server.stop()
        server.removeData()
    }

    @Test("T1 and L1 over RPC: each change says whether it queued a migration, and why not")
    func triggersAnswer() async throws {
        let server = try await ServerFixture.start(hold: .seconds(3600))
        let admin = try server.client(try await server.tenant("contoso").admin)
        _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "onprem@contoso.com", homing: .onPremises)))
        let moved = try await admin.call(DirectoryServiceMethods.moveUser, MoveUserRequest(identity: "onprem@contoso.com", to: .online))
        #expect(moved.queued)
        #expect(moved.user?.homing == .online)
        #expect(moved.status?.state == .pending)

        _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "exch@contoso.com", mailbox: .onPremisesExchange)))
        let refused = try await admin.startMeetingMigration(StartMeetingMigrationRequest(identity: "exch@contoso.com"))
        #expect(!refused.queued)
        #expect(!refused.reason.isEmpty)

        let sip = try await admin.call(DirectoryServiceMethods.changeSipAddress, ChangeSipAddressRequest(identity: "onprem@contoso.com", sipAddress: "sip:new@contoso.com"))
        #expect(!sip.queued)
        #expect(sip.reasonCode == "notATrigger")
        await admin.close()
        try await server.stop()
        server.removeData()
    }

    @Test("a whole migration over RPC: the block is rewritten, the rest of the body kept, the invitation sent once; watch follows it")
    func wholeMigration() async throws {
        let server = try await ServerFixture.start(hold: .zero)
        let (adminToken, readerToken) = try await server.tenant("contoso")
        let admin = try server.client(adminToken)
        let reader = try server.client(readerToken)
        _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "ashaw@contoso.com", homing: .onPremises)))
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let before = "Bonjour l'équipe 👋 — ordre du jour ci-dessous.\n\n"
        let after = "\n\nMerci, 山田 / شكرا\n"
        // A meeting created through the service: the server renders its block.
        let added = try await admin.call(CalendarServiceMethods.addMeeting, AddMeetingRequest(meeting: Meeting(
            organizer: "ashaw@contoso.com", attendees: ["b@contoso.com", "c@fabrikam.com"],
            startMicros: now + 86_400_000_000, endMicros: now + 90_000_000_000, subject: "Revue",
            body: before + after, bodyFormat: .plainText,
            attachments: [Attachment(name: "ordre.pdf", contentType: "application/pdf", content: [0, 1, 2, 255])],
            kind: .skypeOnPremises, createdThroughService: true
        )))
        let moved = try await admin.call(DirectoryServiceMethods.moveUser, MoveUserRequest(identity: "ashaw@contoso.com", to: .online))
        #expect(moved.queued)
        // Started once the migration is acknowledged (a watch opened before it waits for it: WatchTests).
        let watch = Task {
            var states: [MigrationState] = []
            for try await status in try await reader.stream(MigrationServiceMethods.watchMigration, WatchMigrationRequest(identity: "ashaw@contoso.com", untilFinished: true)) {
                states.append(status.state)
            }
            return states
        }
        #expect(try await eventually {
            try await reader.migrationStatus(GetMigrationStatusRequest(identity: "ashaw@contoso.com")).records.first?.state == .succeeded
        })
        let states = try await watch.value
        #expect(states.last == .succeeded)

        // The server appended a Skype block to the body it was given; the migration replaced that block only.
        let skypeBlock = try #require(added.body.range(of: "....."))
        let keptPrefix = String(added.body[..<skypeBlock.lowerBound])
        #expect(keptPrefix.hasPrefix(before + after))
        let meeting = try await reader.call(CalendarServiceMethods.getMeeting, GetMeetingRequest(meetingId: added.meetingId))
        #expect(meeting.kind == .teams)
        #expect(meeting.body.contains("teams.microsoft.com/l/meetup-join"))
        #expect(!meeting.body.contains("Join Skype Meeting"))
        #expect(Array(meeting.body.utf8.prefix(keptPrefix.utf8.count)) == Array(keptPrefix.utf8))
        #expect(meeting.version > added.version)
        #expect(meeting.attachments == added.attachments)
        let invitations = try await reader.call(CalendarServiceMethods.listInvitations, ListInvitationsRequest(meetingId: added.meetingId)).invitations
        #expect(invitations.count == 1)
        let outcomes = try await reader.call(MigrationServiceMethods.listMeetingOutcomes, ListMeetingOutcomesRequest(identity: "ashaw@contoso.com")).outcomes
        #expect(outcomes.map(\.outcome) == [.migrated])
        let summary = try await reader.migrationStatus(GetMigrationStatusRequest(summaryOnly: true)).summary
        #expect(summary.first { $0.state == .succeeded }?.userCount == 1)
        for client in [admin, reader] { await client.close() }
        try await server.stop()
        server.removeData()
    }

    @Test("a restart keeps acknowledged work: a pending migration is still there after the server stops")
    func restart() async throws {
        let server = try await ServerFixture.start(hold: .seconds(3600))
        let adminToken = try await server.tenant("contoso").admin
        var admin = try server.client(adminToken)
        _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "ashaw@contoso.com")))
        let started = try await admin.startMeetingMigration(StartMeetingMigrationRequest(identity: "ashaw@contoso.com", targetMeetingType: .teams))
        await admin.close()
        try await server.stop()

        let restarted = try await ServerFixture.start(hold: .seconds(3600), dataDirectory: server.dataDirectory)
        admin = try restarted.client(adminToken)
        let records = try await admin.migrationStatus(GetMigrationStatusRequest(identity: "ashaw@contoso.com")).records
        #expect(records.map(\.correlationId) == [started.correlationId])
        #expect(records.first?.state == .pending)
        await admin.close()
        try await restarted.stop()
        server.removeData()
    }
}
