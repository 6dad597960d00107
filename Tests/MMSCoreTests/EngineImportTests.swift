import Foundation
import MMSCore
import MMSCoreTesting
import Testing

/// Issue 17, M4 with a real calendar: `mms meeting import` registers the online meetings whose
/// block names the organiser, and takes the others for pasted.
@Suite("Engine: importing existing meetings")
struct EngineImportTests {
    @Test("Issue 17, M4: a block naming the organiser is registered and then migrated; one naming someone else is taken for pasted and left alone")
    func importThenMigrate() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann", homing: .onPremises))
        let start = h.clock.now().addingTimeInterval(86_400)
        func existing(_ url: String, subject: String) async throws -> CalendarMeeting {
            // A meeting made by another tool: its block was never scheduled through this service.
            let body = "Agenda\n\n" + InvitationBlock.render(JoinDetails(kind: .skypeOnline, joinURL: url), format: .plainText)
            let meeting = CalendarMeeting(
                tenant: h.tenant, organizer: ann.id, attendees: ["bob@fabrikam.com"], start: start, end: start.addingTimeInterval(1800),
                subject: subject, body: body, bodyFormat: .plainText, kind: .skypeOnline, createdThroughService: false)
            try await h.store.saveMeeting(meeting)
            return meeting
        }
        let own = try await existing("https://meet.lync.com/contoso/ANN/K7QZ2B4X", subject: "own")
        let other = try await existing("https://meet.lync.com/contoso/carol/ZZZ999", subject: "carol's")
        let report = try await h.engine.importMeetings(tenant: h.tenant, identity: ann.userPrincipalName)
        #expect(report.first { $0.meeting == own.id }?.outcome == .registered, "\(report)")
        let pasted = try #require(report.first { $0.meeting == other.id })
        #expect(pasted.outcome == .pasted && pasted.reason.contains("carol"), "\(pasted)")
        // Importing again changes nothing.
        let again = try await h.engine.importMeetings(tenant: h.tenant, identity: ann.userPrincipalName)
        #expect(again.first { $0.meeting == own.id }?.outcome == .alreadyRegistered)
        #expect(try await h.meeting(own.id).version == own.version, "import changes no meeting")

        _ = try await h.engine.moveUser(tenant: h.tenant, identity: ann.userPrincipalName, to: .online)
        try await h.passHoldAndRun()
        #expect(try await h.meeting(own.id).kind == .teams, "the imported meeting is migrated")
        #expect(try await h.meeting(other.id).body == other.body, "the pasted one is left alone")
        let record = try #require(try await h.status(ann).first)
        let outcomes = try await h.engine.meetingOutcomes(correlationId: record.correlationId)
        #expect(outcomes.first { $0.meeting == other.id }?.reason.contains("M4") == true)
    }

    @Test("Issue 17: the organiser a join URL names: Skype user segment, Teams organiser id")
    func joinURLOrganizer() {
        #expect(InvitationBlock.organizer(ofJoinURL: "https://meet.lync.com/contoso/Alice/K7QZ2B4X?sl=1") == "alice")
        #expect(InvitationBlock.organizer(ofJoinURL: "https://meet.contoso.com/bob/RX4P9TQ2") == "bob")
        let teams = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%22Tid%22%3a%22t%22%2c%22Oid%22%3a%22BC55B173%22%7d"
        #expect(InvitationBlock.organizer(ofJoinURL: teams) == "bc55b173")
        #expect(InvitationBlock.organizer(ofJoinURL: "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0") == nil)
        #expect(InvitationBlock.organizer(ofJoinURL: "https://example.com/x") == nil)
    }
}
