import Foundation
import MMSCore
import MMSCoreTesting
import Testing

/// Migrating meetings end to end: engine, built-in conferencing, outbox, SQLite.
@Suite("Engine: migrating a user's meetings (M1–M9, T4)")
struct EngineMigrationTests {
    @Test("M1: a migration is not processed before the 90-minute hold has passed")
    func hold() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let meeting = try await h.addMeeting(ann)
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", target: .teams)
        h.clock.advance(by: EngineHarness.hold - .seconds(1))
        #expect(try await h.engine.runDueWork() == 0)
        #expect(try await h.meeting(meeting.id) == meeting)
        #expect(try await h.status(ann).first?.state == .pending)
        h.clock.advance(by: .seconds(1))
        #expect(try await h.engine.runDueWork() == 1)
        #expect(try await h.meeting(meeting.id).kind == .teams)
    }

    @Test("M1: the hold is configurable down to zero: a trigger is then processed at once")
    func zeroHold() async throws {
        let h = try await EngineHarness.make(configuration: MigrationEngineConfiguration(hold: .zero))
        let ann = try await h.addUser(Fixtures.user("ann"))
        let meeting = try await h.addMeeting(ann)
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", target: .teams)
        #expect(try await h.engine.runDueWork() == 1)
        #expect(try await h.meeting(meeting.id).kind == .teams)
    }

    @Test("T1: a user moved to the cloud without an audio-conferencing licence gets Teams meetings without dial-in")
    func t1WithoutLicence() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann", homing: .onPremises, audio: false))
        let meeting = try await h.addMeeting(ann, kind: .skypeOnPremises)
        _ = try await h.engine.moveUser(tenant: h.tenant, identity: "ann@contoso.com", to: .online)
        try await h.passHoldAndRun()
        let migrated = try await h.meeting(meeting.id)
        #expect(migrated.kind == .teams)
        let online = try await h.store.onlineMeeting(h.tenant, calendarMeeting: meeting.id, kind: .teams)
        #expect(online?.conferenceId == nil && online?.dialInNumbers == [])
        #expect(!migrated.body.contains("tel:"))
    }

    @Test("M1: triggers inside the hold coalesce into one migration, and the hold restarts at the last trigger")
    func coalescing() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let meeting = try await h.addMeeting(ann)
        let first = try await h.engine.setAudioConferencingEnabled(tenant: h.tenant, identity: "ann@contoso.com", enabled: false)
        h.clock.advance(by: .seconds(60 * 60))
        let second = try await h.engine.grantTeamsUpgradePolicy(tenant: h.tenant, identity: "ann@contoso.com", mode: .teamsOnly)
        guard case .merged(let merged) = second.migration else { Issue.record("expected merged: \(second.migration)"); return }
        #expect(merged.correlationId == first.migration.record?.correlationId)
        #expect(merged.triggerCount == 2 && merged.migrationType == .allToTeams)
        h.clock.advance(by: .seconds(30 * 60))  // 90 min after the first trigger, 30 after the second
        #expect(try await h.engine.runDueWork() == 0)
        h.clock.advance(by: .seconds(60 * 60))
        #expect(try await h.engine.runDueWork() == 1)
        let records = try await h.status(ann)
        #expect(records.count == 1 && records[0].state == .succeeded)
        #expect(try await h.meeting(meeting.id).kind == .teams)
        #expect(try await h.store.deliveries(forMeeting: meeting.id).count == 1)
    }

    @Test("M2: future meetings the user organises are moved to the target service, their block replaced and sent to every attendee on the organiser's behalf")
    func processing() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann", homing: .onPremises))
        let bob = try await h.addUser(Fixtures.user("bob", homing: .onPremises))
        let future1 = try await h.addMeeting(ann, daysAhead: 1, kind: .skypeOnPremises)
        let future2 = try await h.addMeeting(ann, daysAhead: 30, kind: .skypeOnPremises, attendees: ["x@contoso.com", "y@contoso.com", "z@fabrikam.com"])
        let past = try await h.addMeeting(ann, daysAhead: -1, kind: .skypeOnPremises)
        let bobs = try await h.addMeeting(bob, kind: .skypeOnPremises)
        _ = try await h.engine.moveUser(tenant: h.tenant, identity: "ann@contoso.com", to: .online)
        try await h.passHoldAndRun()

        for meeting in [future1, future2] {
            let migrated = try await h.meeting(meeting.id)
            #expect(migrated.kind == .teams && migrated.version == meeting.version + 1)
            let blocks = InvitationBlock.find(in: migrated.body, format: migrated.bodyFormat)
            #expect(blocks.count == 1 && blocks.first?.kind == .teams)
            let online = try await h.store.onlineMeeting(h.tenant, calendarMeeting: meeting.id, kind: .teams)
            #expect(online?.joinURL == blocks.first?.joinURL)
            #expect(online?.conferenceId == ann.audioConferencing.conferenceId && online?.dialInNumbers == Fixtures.bridge.numbers, "T1: licensed user's meetings carry dial-in")
            let deliveries = try await h.store.deliveries(forMeeting: meeting.id)
            #expect(deliveries.count == 1)
            let sent = try #require(deliveries.first?.invitation)
            #expect(sent.recipients == meeting.attendees && sent.organizerPrincipalName == "ann@contoso.com")
            #expect(bytes(sent.body) == bytes(migrated.body) && sent.attachments == meeting.attachments)
        }
        #expect(try await h.meeting(past.id) == past)
        #expect(try await h.meeting(bobs.id) == bobs)
        let record = try #require(try await h.status(ann).first)
        #expect(record.state == .succeeded && record.totalMeetings == 2 && record.succeededMeetings == 2 && record.invitesUpdated == 2)
        #expect(record.failedMeetings == 0 && record.migrationType == .sfbToTeams && record.lastMessage.isEmpty)
    }

    @Test("M3: every byte outside the block and every attachment is kept; the block is replaced", arguments: [BodyFormat.html, .plainText])
    func bytesKept(_ format: BodyFormat) async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let attachments = [
            MMSCore.Attachment(name: "deck.pptx", contentType: "application/vnd.ms-powerpoint", content: Data((0..<4096).map { UInt8($0 % 251) })),
            MMSCore.Attachment(name: "notes.txt", contentType: "text/plain", content: Data("ünïcödé\r\n".utf8)),
        ]
        let meeting = try await h.addMeeting(ann, format: format, body: "Before the block\r\n\t<b>keep</b> &amp; this", attachments: attachments)
        let suffix = format == .html ? "\n<p>After the block: signature</p>\r\n" : "\n\nAfter the block\r\n-- \nAnn"
        let body = meeting.body + suffix
        try await h.engine.editMeetingBody(tenant: h.tenant, meeting: meeting.id, body: body)
        let old = try #require(InvitationBlock.find(in: body, format: format).first)
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", target: .teams)
        try await h.passHoldAndRun()
        let migrated = try await h.meeting(meeting.id)
        let new = try #require(InvitationBlock.find(in: migrated.body, format: format).first)
        let before = bytes(body), after = bytes(migrated.body)
        #expect(Array(after[..<new.utf8Range.lowerBound]) == Array(before[..<old.utf8Range.lowerBound]))
        #expect(Array(after[new.utf8Range.upperBound...]) == Array(before[old.utf8Range.upperBound...]))
        #expect(new.kind == .teams && new.joinURL != old.joinURL)
        #expect(migrated.attachments == attachments)
        #expect(try await h.store.deliveries(forMeeting: meeting.id).first?.invitation.attachments == attachments)
    }

    @Test("M4: a meeting whose block was pasted from another meeting is left alone, with the reason recorded")
    func pasted() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let original = try await h.addMeeting(ann, subject: "Original")
        let start = h.clock.now().addingTimeInterval(3 * 86_400)
        let pasted = try await h.engine.scheduleMeeting(tenant: h.tenant, NewMeeting(
            organizer: "ann@contoso.com", attendees: ["dan@contoso.com"], start: start, end: start.addingTimeInterval(600),
            subject: "Copy", body: original.body, bodyFormat: .html, kind: .skypeOnline, createdThroughService: false))
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", target: .teams)
        try await h.passHoldAndRun()
        #expect(try await h.meeting(pasted.id) == pasted)
        #expect(try await h.meeting(original.id).kind == .teams)
        let record = try #require(try await h.status(ann).first)
        #expect(record.state == .succeeded && record.succeededMeetings == 1 && record.skippedMeetings == 1 && record.totalMeetings == 2)
        let outcomes = try await h.engine.meetingOutcomes(correlationId: record.correlationId)
        let skipped = try #require(outcomes.first { $0.meeting == pasted.id })
        #expect(skipped.outcome == .skipped && skipped.reason.contains("M4"))
        #expect(record.lastMessage.contains("M4"))
        #expect(try await h.store.deliveries(forMeeting: pasted.id).isEmpty)
    }

    @Test("M4: a block pasted before the meeting's own block is kept as it is; the meeting's own block is replaced")
    func pastedBeforeOwnBlock() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let original = try await h.addMeeting(ann, subject: "Original")
        let start = h.clock.now().addingTimeInterval(4 * 86_400)
        // Created through the service: the server appends this meeting's own block after the pasted one.
        let meeting = try await h.engine.scheduleMeeting(tenant: h.tenant, NewMeeting(
            organizer: "ann@contoso.com", attendees: ["dan@contoso.com"], start: start, end: start.addingTimeInterval(600),
            subject: "Follow-up", body: "<p>Last time:</p>" + original.body, bodyFormat: .html, kind: .skypeOnline))
        let blocksBefore = InvitationBlock.find(in: meeting.body, format: .html)
        #expect(blocksBefore.count == 2)
        let pastedRange = try #require(blocksBefore.first).utf8Range
        let pastedBytes = Array(Array(meeting.body.utf8)[pastedRange])

        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", target: .teams)
        try await h.passHoldAndRun()

        let migrated = try await h.meeting(meeting.id)
        #expect(migrated.kind == .teams)
        let bytes = Array(migrated.body.utf8)
        #expect(Array(bytes[pastedRange]) == pastedBytes, "the pasted block and everything before it are kept")
        let blocksAfter = InvitationBlock.find(in: migrated.body, format: .html)
        #expect(blocksAfter.map(\.kind) == [.skypeOnline, .teams])
    }

    @Test("M5: meetings with more than 250 participants (organiser included) are skipped with the reason; 250 are migrated")
    func participantLimit() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let atLimit = try await h.addMeeting(ann, attendees: (1...249).map { "a\($0)@contoso.com" } + ["ANN@contoso.com"])
        let overLimit = try await h.addMeeting(ann, daysAhead: 3, attendees: (1...250).map { "b\($0)@contoso.com" })
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", target: .teams)
        try await h.passHoldAndRun()
        #expect(try await h.meeting(atLimit.id).kind == .teams)
        #expect(try await h.meeting(overLimit.id) == overLimit)
        let record = try #require(try await h.status(ann).first)
        let outcome = try #require(try await h.engine.meetingOutcomes(correlationId: record.correlationId).first { $0.meeting == overLimit.id })
        #expect(outcome.outcome == .skipped && outcome.reason.contains("M5") && outcome.reason.contains("251"))
        #expect(record.state == .succeeded)
    }

    @Test("M6: the meeting-notes link inside the block is replaced with the block; one outside the block stays")
    func notesLink() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let meeting = try await h.addMeeting(ann, body: "<p>Notes: <a href=\"https://onenote.example/outside\">our notes</a></p>")
        let block = try #require(InvitationBlock.find(in: meeting.body, format: .html).first)
        var body = bytes(meeting.body)
        let inside = "<div><a href=\"https://onenote.example/shared-meeting-notes\">Shared meeting notes</a></div>\n"
        let insertAt = try #require(body[block.utf8Range].firstIndex(of: UInt8(ascii: "\n")))  // after the block's first line
        body.insert(contentsOf: Array(inside.utf8), at: insertAt + 1)
        let edited = String(decoding: body, as: UTF8.self)
        #expect(InvitationBlock.find(in: edited, format: .html).count == 1)
        try await h.engine.editMeetingBody(tenant: h.tenant, meeting: meeting.id, body: edited)
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com")
        try await h.passHoldAndRun()
        let migrated = try await h.meeting(meeting.id)
        #expect(!migrated.body.contains("shared-meeting-notes"))
        #expect(migrated.body.contains("https://onenote.example/outside"))
    }

    @Test("M8: Unicode outside the block comes out byte for byte through a whole migration (emoji, CJK, RTL, combining marks, NFC, NFD)",
          arguments: [BodyFormat.html, .plainText])
    func unicode(_ format: BodyFormat) async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let text = Fixtures.unicodeText + " 한국어 𠜎 ‏עברית‎ x\u{0301}\u{0302}\u{0303} caf\u{00E9} cafe\u{0301}"
        let meeting = try await h.addMeeting(ann, format: format, body: text, subject: "Réunion 会議 cafe\u{0301}")
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", target: .teams)
        try await h.passHoldAndRun()
        let migrated = try await h.meeting(meeting.id)
        #expect(migrated.kind == .teams)
        #expect(Array(bytes(migrated.body).prefix(bytes(text).count)) == bytes(text))
        #expect(bytes(migrated.subject) == bytes(meeting.subject))
        let sent = try #require(try await h.store.deliveries(forMeeting: meeting.id).first?.invitation)
        #expect(bytes(sent.body) == bytes(migrated.body) && bytes(sent.subject) == bytes(meeting.subject))
        #expect(!migrated.body.contains("ï¿½") && !migrated.body.contains("\u{FFFD}"))
    }

    @Test("M9: a migration of 100 meetings completes within 2 hours of its trigger, hold included")
    func completesInTime() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        for day in 1...100 { try await h.addMeeting(ann, daysAhead: Double(day)) }
        let trigger = h.clock.now()
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", target: .teams)
        let wallStart = Date()
        try await h.passHoldAndRun()
        let wall = Date().timeIntervalSince(wallStart)
        let record = try #require(try await h.status(ann).first)
        #expect(record.state == .succeeded && record.succeededMeetings == 100)
        #expect(record.modifiedDate.timeIntervalSince(trigger) <= 2 * 3600)
        #expect(wall < 30 * 60, "processing after the hold took \(wall) s")
    }

    @Test("T4: target Current keeps each kind (on-premises Skype goes to Skype online, Teams stays Teams) with refreshed dial-in")
    func targetCurrent() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann", conferenceId: "100200300"))
        let onPrem = try await h.addMeeting(ann, kind: .skypeOnPremises)
        let online = try await h.addMeeting(ann, kind: .skypeOnline)
        let teams = try await h.addMeeting(ann, kind: .teams)
        let changed = try await h.engine.changeConferenceId(tenant: h.tenant, identity: "ann@contoso.com", to: "700800900")
        #expect(changed.migration.record?.migrationType == .toSameType)
        try await h.passHoldAndRun()
        #expect(try await h.meeting(onPrem.id).kind == .skypeOnline)
        #expect(try await h.meeting(online.id).kind == .skypeOnline)
        #expect(try await h.meeting(teams.id).kind == .teams)
        for meeting in [onPrem, online, teams] {
            let migrated = try await h.meeting(meeting.id)
            #expect(migrated.body.contains("700800900") && !migrated.body.contains("100200300"), "\(meeting.kind)")
        }
        // Updating in place keeps the join URL of a meeting already in its target service.
        let onlineBlockBefore = InvitationBlock.find(in: online.body, format: .html).first?.joinURL
        #expect(InvitationBlock.find(in: try await h.meeting(online.id).body, format: .html).first?.joinURL == onlineBlockBefore)
    }

    @Test("T4: source Teams leaves Skype meetings untouched; source SfB with target Teams converts only Skype meetings")
    func sourceFilter() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let skype = try await h.addMeeting(ann, kind: .skypeOnline)
        let teams = try await h.addMeeting(ann, kind: .teams)
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", source: .teams, target: .teams)
        try await h.passHoldAndRun()
        #expect(try await h.meeting(skype.id) == skype)
        #expect(try await h.meeting(teams.id).version == teams.version + 1)
        let first = try #require(try await h.status(ann).first)
        #expect(first.totalMeetings == 1 && first.migrationType == .teamsToTeams)
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com", source: .skypeForBusiness, target: .teams)
        try await h.passHoldAndRun()
        #expect(try await h.meeting(skype.id).kind == .teams)
        #expect(try await h.meeting(teams.id).version == teams.version + 1)
    }
}
