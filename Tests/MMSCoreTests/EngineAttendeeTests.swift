import Foundation
import MMSCore
import MMSCoreTesting
import Testing

/// Issue 9 (M2 step 4, M5): an attendee listed twice, in any case, is one recipient.
@Suite("Engine: attendees and recipients")
struct EngineAttendeeTests {
    @Test("Issue 9: a duplicate attendee (same mailbox in another case) is stored once and receives one copy; the organiser none")
    func duplicateAttendees() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann", homing: .onPremises))
        let listed = ["bob@fabrikam.com", "BOB@Fabrikam.com", "carol@fabrikam.com", "bob@fabrikam.com", "Ann@Contoso.com"]
        let meeting = try await h.addMeeting(ann, kind: .skypeOnPremises, attendees: listed)
        #expect(meeting.attendees == ["bob@fabrikam.com", "carol@fabrikam.com"], "stored once each, organiser left out")
        #expect(try await h.meeting(meeting.id).attendees == ["bob@fabrikam.com", "carol@fabrikam.com"])
        #expect(meeting.participantCount(organizerAddress: ann.userPrincipalName) == 3)

        // A meeting stored before de-duplication (written to the store directly) is de-duplicated
        // when its recipients are computed.
        var legacy = try await h.addMeeting(ann, daysAhead: 3, kind: .skypeOnPremises)
        legacy.attendees = listed
        try await h.store.saveMeeting(legacy)

        _ = try await h.engine.moveUser(tenant: h.tenant, identity: ann.userPrincipalName, to: .online)
        try await h.passHoldAndRun()
        for id in [meeting.id, legacy.id] {
            let invitations = try await h.store.invitations(forMeeting: id)
            #expect(invitations.count == 1)
            #expect(invitations.first?.recipients == ["bob@fabrikam.com", "carol@fabrikam.com"], "\(invitations)")
        }
    }

    @Test("Issue 9: a meeting that starts in the past is refused when added, and nothing is stored")
    func pastStart() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let start = h.clock.now().addingTimeInterval(-60)
        await #expect(throws: MigrationEngineError.self) {
            _ = try await h.engine.scheduleMeeting(tenant: h.tenant, NewMeeting(
                organizer: ann.userPrincipalName, attendees: [], start: start, end: start.addingTimeInterval(3600),
                subject: "late", body: "x", bodyFormat: .plainText, kind: .teams))
        }
        #expect(try await h.engine.meetings(tenant: h.tenant, organizer: ann.userPrincipalName, from: .distantPast).isEmpty)
    }
}
