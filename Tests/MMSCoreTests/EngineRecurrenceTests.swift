import Foundation
import MMSCore
import MMSCoreTesting
import Testing

/// Issue 17, R2, on the built-in calendar: a series with any occurrence still to come is one
/// meeting to migrate; one wholly in the past is left alone.
@Suite("Engine: recurring meetings in the built-in calendar")
struct EngineRecurrenceTests {
    func series(_ h: EngineHarness, _ organizer: User, firstStart: Date, rule: String, subject: String) -> CalendarMeeting {
        let body = "Weekly\n\n" + InvitationBlock.render(
            JoinDetails(kind: .skypeOnPremises, joinURL: "https://meet.contoso.com/ann/\(subject.uppercased())1"), format: .plainText)
        return CalendarMeeting(
            tenant: h.tenant, organizer: organizer.id, attendees: ["bob@fabrikam.com"], start: firstStart, end: firstStart.addingTimeInterval(1800),
            subject: subject, body: body, bodyFormat: .plainText, kind: .skypeOnPremises, createdThroughService: false, recurrence: rule)
    }

    @Test("R2: a weekly series begun in the past with later occurrences is migrated as one meeting; one wholly past is not touched")
    func seriesMigratedOnce() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann", homing: .onPremises))
        let now = h.clock.now()
        let threeWeeksAgo = now.addingTimeInterval(-21 * 86_400)
        // Added through the engine: the series' first occurrence is past, later ones are not.
        let ongoing = try await h.engine.scheduleMeeting(tenant: h.tenant, NewMeeting(
            organizer: ann.userPrincipalName, attendees: ["bob@fabrikam.com"], start: threeWeeksAgo, end: threeWeeksAgo.addingTimeInterval(1800),
            subject: "standing", body: "Weekly", bodyFormat: .plainText, kind: .skypeOnPremises, recurrence: "FREQ=WEEKLY;COUNT=10"))
        #expect(ongoing.recurrence == "FREQ=WEEKLY;COUNT=10")
        let unbounded = series(h, ann, firstStart: now.addingTimeInterval(-400 * 86_400), rule: "FREQ=MONTHLY;BYMONTHDAY=1", subject: "monthly")
        try await h.store.saveMeeting(unbounded)
        let over = series(h, ann, firstStart: now.addingTimeInterval(-35 * 86_400), rule: "FREQ=WEEKLY;COUNT=2", subject: "over")
        try await h.store.saveMeeting(over)

        let listed = try await h.engine.meetings(tenant: h.tenant, organizer: ann.userPrincipalName).map(\.id)
        #expect(Set(listed) == [ongoing.id, unbounded.id], "the series wholly in the past is not listed")
        #expect(ongoing.nextOccurrence(endingAfter: now).map { $0.start >= now && $0.start <= now.addingTimeInterval(7 * 86_400) } == true)

        _ = try await h.engine.moveUser(tenant: h.tenant, identity: ann.userPrincipalName, to: .online)
        try await h.passHoldAndRun()
        let migrated = try await h.meeting(ongoing.id)
        #expect(migrated.kind == .teams && migrated.version == ongoing.version + 1 && migrated.recurrence == "FREQ=WEEKLY;COUNT=10")
        #expect(try await h.store.invitations(forMeeting: ongoing.id).count == 1, "one invitation for the whole series")
        #expect(try await h.meeting(over.id) == over, "the past series is left as it was")
    }

    @Test("R2: a series with no occurrence left, or a rule that is not an RRULE, is refused when added, naming the field")
    func refusedSeries() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let past = h.clock.now().addingTimeInterval(-60 * 86_400)
        for (rule, field) in [("FREQ=WEEKLY;COUNT=3", "rrule"), ("FREQ=SOMETIMES", "meeting.rrule"), ("COUNT=3", "meeting.rrule")] {
            do {
                _ = try await h.engine.scheduleMeeting(tenant: h.tenant, NewMeeting(
                    organizer: ann.userPrincipalName, attendees: [], start: past, end: past.addingTimeInterval(600), subject: "x", body: "x",
                    bodyFormat: .plainText, kind: .teams, recurrence: rule))
                Issue.record("\(rule) accepted")
            } catch let error as MigrationEngineError {
                #expect(error.code == .invalidArgument && error.field == field, "\(rule): \(error)")
            }
        }
        #expect(try await h.engine.meetings(tenant: h.tenant, organizer: ann.userPrincipalName, from: .distantPast).isEmpty)
    }
}
