import Foundation
import GRDB
import MMSCore
import MMSCoreTesting
@testable import MMSSQLite
import MMSStoredForms
import Testing

/// Issue 11: the hot columns moved from JSON to binary forms (schema v7).
@Suite("SQLite store: binary stored forms (schema v7)")
struct SQLiteStoredFormTests {
    let start = Date(timeIntervalSince1970: 1_900_000_000.123456)

    func samples() -> (User, CalendarMeeting, OnlineMeeting, OutgoingInvitation) {
        let user = User(
            tenant: Fixtures.tenant, userPrincipalName: "zoë@contoso.com", homing: .onPremises, mailbox: .onPremisesExchange,
            teamsUpgradeMode: .teamsOnly,
            audioConferencing: AudioConferencing(licensed: true, provider: .microsoft, enabled: true, bridge: BridgeID("b-1"), conferenceId: "291633251"))
        let meeting = CalendarMeeting(
            tenant: Fixtures.tenant, organizer: user.id, attendees: ["a@contoso.com", "ß@例え.jp"], start: start,
            end: start.addingTimeInterval(1800), subject: "Réunion 会議 👩🏽‍💻", body: "body e\u{301}\r\n" + Fixtures.unicodeText,
            bodyFormat: .html, attachments: [Attachment(name: "a.ics", contentType: "text/calendar", content: Data([0, 255, 13, 10]))],
            kind: .skypeOnPremises, createdThroughService: true, version: 7, recurrence: "FREQ=WEEKLY;COUNT=3")
        let online = OnlineMeeting(
            kind: .teams, joinURL: "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0", tenant: Fixtures.tenant,
            organizer: user.id, calendarMeeting: meeting.id, conferenceId: "291633251",
            dialInNumbers: [DialInNumber(number: "+33170000000", label: "France, Paris (Toll)")])
        let invitation = OutgoingInvitation(
            id: "c/\(meeting.id)", correlationId: CorrelationID("c"), tenant: Fixtures.tenant, meeting: meeting.id,
            organizerPrincipalName: user.userPrincipalName, recipients: meeting.attendees, subject: meeting.subject, body: meeting.body,
            bodyFormat: .html, attachments: meeting.attachments, start: meeting.start, end: meeting.end, created: start, sequence: 8,
            calendarResource: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        return (user, meeting, online, invitation)
    }

    @Test("Stored forms: every field of a user, meeting, online meeting and invitation survives the binary form exactly")
    func roundTrip() throws {
        let (user, meeting, online, invitation) = samples()
        #expect(try StoredForm.user(StoredForm.encode(user)) == user)
        #expect(try StoredForm.meeting(StoredForm.encode(meeting), body: meeting.body) == meeting)
        #expect(try StoredForm.onlineMeeting(StoredForm.encode(online)) == online)
        #expect(try StoredForm.invitation(StoredForm.encode(invitation), body: invitation.body) == invitation)
        var bare = user
        bare.teamsUpgradeMode = nil
        bare.audioConferencing = AudioConferencing()
        #expect(try StoredForm.user(StoredForm.encode(bare)) == bare, "absent optionals stay absent")
    }

    @Test("Stored forms: a truncated or altered value is refused with a message naming it, never read as something else")
    func malformed() throws {
        let (user, meeting, _, _) = samples()
        let data = StoredForm.encode(user)
        for cut in [1, data.count / 2, data.count - 1] {
            #expect(throws: BinaryDecodingError.self) { try StoredForm.user(data.prefix(cut)) }
        }
        #expect(throws: BinaryDecodingError.self) { try StoredForm.user(data + Data([0])) }
        var wrongFormat = StoredForm.encode(meeting)
        wrongFormat[0] = StoredForm.userFormat
        do {
            _ = try StoredForm.user(wrongFormat)
            Issue.record("a meeting's bytes were read as a user")
        } catch let error as BinaryDecodingError {
            #expect(error.description.contains("user"))
        }
    }

    @Test("Schema v7: a file written by v6 (JSON rows) is converted in place; every value reads back the same, now in binary")
    func upgradeFromV6() async throws {
        let directory = try TemporaryDirectory()
        let path = (directory.path as NSString).appendingPathComponent(SQLiteMigrationStore.fileName)
        let (user, meeting, online, invitation) = samples()
        // The previous version's file: its schema (the registered migrations up to v6) and its JSON encodings.
        try await writeV6File(path, user: user, meeting: meeting, online: online, invitation: invitation)

        let store = try SQLiteMigrationStore(directory: directory.path)
        #expect(try await store.appliedSchemaVersions().contains("v7: binary stored forms"))
        #expect(try await store.user(Fixtures.tenant, principalName: user.userPrincipalName) == user)
        #expect(try await store.meeting(Fixtures.tenant, id: meeting.id) == meeting)
        #expect(try await store.onlineMeeting(joinURL: online.joinURL) == online)
        let queued = try await store.invitations(forMeeting: meeting.id)
        #expect(queued.count == 1 && queued.first.map { Array($0.body.utf8) } == Array(invitation.body.utf8))
        var expected = invitation
        expected.sent = queued.first?.sent
        #expect(queued.first == expected)
        let delivered = try await store.deliveries(forMeeting: meeting.id)
        #expect(delivered.count == 1 && delivered.first?.attempts == 1 && delivered.first?.invitation.recipients == invitation.recipients)

        let queue = try DatabaseQueue(path: path)
        for table in ["users", "meetings", "online_meetings", "outbox", "deliveries"] {
            let first = try await queue.read { db in try Data.fetchOne(db, sql: "SELECT data FROM \(table)") }
            #expect(first.map { !StoredForm.isJSON($0) } == true, "\(table) converted")
        }
    }

    @Test("Schema v7: a v6 file with an unreadable row is refused naming the table and row, and left exactly as it was")
    func upgradeRefusesUnreadable() async throws {
        let directory = try TemporaryDirectory()
        let path = (directory.path as NSString).appendingPathComponent(SQLiteMigrationStore.fileName)
        let (user, meeting, online, invitation) = samples()
        try await writeV6File(path, user: user, meeting: meeting, online: online, invitation: invitation)
        do {
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in try db.execute(sql: "UPDATE users SET data = ?", arguments: [Data("{\"id\": 3".utf8)]) }
        }
        do {
            _ = try SQLiteMigrationStore(directory: directory.path)
            Issue.record("an unreadable row was accepted")
        } catch {
            #expect("\(error)".contains("users") && "\(error)".contains("cannot be read"), "\(error)")
        }
        let queue = try DatabaseQueue(path: path)
        let applied = try await queue.read { db in try Schema.migrator.appliedMigrations(db) }
        #expect(applied.last == "v6: refused recipients counted per migration", "still at v6: \(applied)")
        let meetingData = try await queue.read { db in try Data.fetchOne(db, sql: "SELECT data FROM meetings") }
        #expect(meetingData.map(StoredForm.isJSON) == true, "no row converted")
    }

    private func writeV6File(_ path: String, user: User, meeting: CalendarMeeting, online: OnlineMeeting, invitation: OutgoingInvitation) async throws {
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v6: refused recipients counted per migration")
        var meetingWithoutBody = meeting
        meetingWithoutBody.body = ""
        var invitationWithoutBody = invitation
        invitationWithoutBody.body = ""
        let userData = try JSON.encode(user), meetingData = try JSON.encode(meetingWithoutBody)
        let onlineData = try JSON.encode(online), invitationData = try JSON.encode(invitationWithoutBody)
        try await queue.write { db in
            try db.execute(
                sql: "INSERT INTO users (id, tenant, upn_key, bridge, conference_id, data) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [user.id.rawValue, user.tenant.rawValue, user.userPrincipalName.lowercased(), "b-1", "291633251", userData])
            try db.execute(
                sql: "INSERT INTO meetings (id, tenant, organizer, start_at, version, body, data, recurring) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                arguments: [meeting.id.rawValue, meeting.tenant.rawValue, user.id.rawValue, meeting.start.micros, meeting.version,
                    Data(meeting.body.utf8), meetingData])
            try db.execute(
                sql: "INSERT INTO online_meetings (join_url, tenant, kind, calendar_meeting, organizer, data, identity) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [online.joinURL, online.tenant.rawValue, online.kind.rawValue, meeting.id.rawValue, user.id.rawValue, onlineData,
                    SQLiteMigrationStore.identity(ofJoinURL: online.joinURL)])
            try db.execute(
                sql: "INSERT INTO outbox (id, migration_id, meeting, created_at, body, data) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [invitation.id, "c", meeting.id.rawValue, invitation.created.micros, Data(invitation.body.utf8), invitationData])
            try db.execute(
                sql: "INSERT INTO deliveries (id, meeting, attempts, delivered_at, body, data) VALUES (?, ?, 1, ?, ?, ?)",
                arguments: [invitation.id, meeting.id.rawValue, invitation.created.micros, Data(invitation.body.utf8), invitationData])
        }
    }
}
