import Foundation
import MMSCore
import MMSCoreTesting
import Testing

/// Issue 15: `mms migration preview` runs the migration's own plan and writes nothing.
@Suite("Engine: migration preview (issue 15)")
struct EnginePreviewTests {
    /// Everything the store holds of `user`'s meetings: the meetings, their online meetings, the invitations.
    struct Snapshot: Equatable {
        var meetings: [CalendarMeeting]
        var onlineMeetings: [OnlineMeeting]
        var invitations: [String]
    }

    static func snapshot(_ h: EngineHarness, _ user: User) async throws -> Snapshot {
        let meetings = try await h.store.meetings(h.tenant, organizedBy: user.id, startingFrom: .distantPast).sorted { $0.id.rawValue < $1.id.rawValue }
        let online = try await h.store.onlineMeetings(h.tenant, organizedBy: user.id).sorted { $0.joinURL < $1.joinURL }
        var invitations: [String] = []
        for meeting in meetings { invitations += try await h.store.deliveries(forMeeting: meeting.id).map(\.invitation.id) }
        return Snapshot(meetings: meetings, onlineMeetings: online, invitations: invitations)
    }

    static func preview(_ h: EngineHarness, _ user: User, source: SourceMeetingType = .all, target: TargetMeetingType = .current) async throws -> [MeetingPreview] {
        let collected = Collected()
        try await h.engine.previewMeetingMigration(tenant: h.tenant, identity: user.userPrincipalName, source: source, target: target) {
            collected.append($0)
        }
        return collected.items
    }

    final class Collected: @unchecked Sendable {
        var items: [MeetingPreview] = []
        func append(_ item: MeetingPreview) { items.append(item) }
    }

    @Test("Issue 15, M2-M5, T4: the preview says, meeting by meeting, exactly what the migration then does: outcome, reason, body byte for byte, sequence; and it wrote nothing")
    func previewMatchesMigration() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann", conferenceId: "100200300"))
        let skype = try await h.addMeeting(ann, attendees: ["bob@contoso.com", "BOB@contoso.com", "carol@fabrikam.com"], subject: "Skype review")
        let plain = try await h.addMeeting(ann, daysAhead: 3, format: .plainText, subject: "Plain")
        let teams = try await h.addMeeting(ann, daysAhead: 4, kind: .teams, subject: "Teams sync")
        let start = h.clock.now().addingTimeInterval(5 * 86_400)
        let pasted = try await h.engine.scheduleMeeting(tenant: h.tenant, NewMeeting(
            organizer: ann.userPrincipalName, attendees: ["dan@contoso.com"], start: start, end: start.addingTimeInterval(600),
            subject: "Copy", body: skype.body, bodyFormat: .html, kind: .skypeOnline, createdThroughService: false))
        let crowd = try await h.addMeeting(ann, daysAhead: 6, attendees: (1...250).map { "p\($0)@contoso.com" }, subject: "All hands")
        let past = try await h.addMeeting(ann, daysAhead: -1, subject: "Last week")
        let before = try await Self.snapshot(h, ann)

        let previews = try await Self.preview(h, ann, source: .all, target: .teams)

        // Nothing written: no migration record, no outcome, no invitation, no online meeting, meetings unchanged.
        #expect(try await Self.snapshot(h, ann) == before)
        #expect(try await h.status(ann).isEmpty)
        let byId = Dictionary(uniqueKeysWithValues: previews.map { ($0.meeting, $0) })
        #expect(previews.count == 6)
        #expect(byId[skype.id]?.outcome == .migrated && byId[plain.id]?.outcome == .migrated && byId[teams.id]?.outcome == .migrated)
        #expect(byId[pasted.id]?.skipReason == .pasted && byId[crowd.id]?.skipReason == .overParticipantLimit && byId[past.id]?.skipReason == .past)
        #expect(byId[past.id]?.outcome == .skipped)
        #expect(byId[skype.id]?.attendeeCount == 2 && byId[skype.id]?.organizer == ann.userPrincipalName && byId[skype.id]?.subject == "Skype review")
        #expect(byId[skype.id]?.start == skype.start)
        // Skype → Teams needs a new online meeting: its join URL is the placeholder. Teams → Teams keeps its own.
        #expect(byId[skype.id]?.undetermined == .joinURL && byId[skype.id]?.newJoinURL?.contains("meeting_" + String(repeating: "x", count: 32)) == true)
        #expect(byId[teams.id]?.undetermined == UndeterminedJoinDetails.nothing)
        #expect(byId[teams.id]?.newJoinURL == InvitationBlock.find(in: teams.body, format: .html).first?.joinURL)
        let oldBlock = try #require(byId[skype.id]?.oldBlock)
        #expect(skype.body.contains(oldBlock) && oldBlock.contains("meet.lync.com"))
        #expect(byId[skype.id]?.newBlock?.contains("teams.microsoft.com") == true && byId[skype.id]?.newBlock?.contains("100200300") == true)
        #expect(byId[skype.id]?.diff.contains("\n+") == true && byId[skype.id]?.diff.hasPrefix("@@ -") == true)

        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: ann.userPrincipalName, source: .all, target: .teams)
        try await h.passHoldAndRun()
        let record = try #require(try await h.status(ann).first)
        let outcomes = Dictionary(uniqueKeysWithValues: try await h.engine.meetingOutcomes(correlationId: record.correlationId).map { ($0.meeting, $0) })

        for preview in previews {
            guard let outcome = outcomes[preview.meeting] else {
                #expect(preview.skipReason == .past, "only the past meeting is not looked at by the migration: \(preview.subject)")
                continue
            }
            let migrated = try await h.meeting(preview.meeting)
            var actualReason = outcome.reason
            var actualBody = migrated.body
            if preview.undetermined == .joinURL {
                // The one thing the preview cannot know: the join URL allocated at scheduling.
                let allocated = try #require(try await h.store.onlineMeeting(h.tenant, calendarMeeting: preview.meeting, kind: .teams)).joinURL
                let placeholder = try #require(preview.newJoinURL)
                #expect(allocated.utf8.count == placeholder.utf8.count, "the placeholder has the allocated URL's length")
                actualReason = actualReason.replacingOccurrences(of: allocated, with: placeholder)
                actualBody = actualBody.replacingOccurrences(of: allocated, with: placeholder)
            }
            #expect(preview.outcome.rawValue == outcome.outcome.rawValue, "\(preview.subject)")
            #expect(preview.reason == actualReason, "\(preview.subject)")
            if preview.outcome == .migrated {
                #expect(Array((preview.body ?? "").utf8) == Array(actualBody.utf8), "\(preview.subject): the body byte for byte")
                #expect(preview.sequence == migrated.version, "\(preview.subject)")
            } else {
                let original = try #require(before.meetings.first { $0.id == preview.meeting })
                #expect(migrated == original)
            }
        }
    }

    @Test("Issue 15, T4: a kind not selected by -SourceMeetingType is reported as not selected, and the migration then neither changes nor counts it")
    func notSelected() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let skype = try await h.addMeeting(ann, kind: .skypeOnline)
        let teams = try await h.addMeeting(ann, daysAhead: 3, kind: .teams)
        let previews = try await Self.preview(h, ann, source: .teams, target: .teams)
        #expect(previews.first { $0.meeting == skype.id }?.outcome == .notSelected)
        #expect(previews.first { $0.meeting == skype.id }?.skipReason == .notSelected)
        #expect(previews.first { $0.meeting == teams.id }?.outcome == .migrated)
        _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: ann.userPrincipalName, source: .teams, target: .teams)
        try await h.passHoldAndRun()
        let record = try #require(try await h.status(ann).first)
        #expect(record.totalMeetings == 1)
        #expect(try await h.meeting(skype.id) == skype)
    }

    @Test("Issue 15: an empty or unknown identity is refused naming the field")
    func badIdentity() async throws {
        let h = try await EngineHarness.make()
        await #expect(throws: MigrationEngineError.self) { _ = try await Self.preview(h, Fixtures.user("nobody")) }
        do {
            try await h.engine.previewMeetingMigration(tenant: h.tenant, identity: "  ") { _ in }
            Issue.record("an empty identity was accepted")
        } catch let error as MigrationEngineError {
            #expect(error.field == "identity")
        }
    }

    @Test("Issue 15: the unified diff shows each change with its context, and nothing for equal texts")
    func unifiedDiff() {
        #expect(UnifiedDiff.lines(["a", "b"], ["a", "b"]).isEmpty)
        let diff = UnifiedDiff.lines(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], ["1", "2", "3", "4", "five", "6", "7", "8", "9", "10"], context: 1)
        #expect(diff == "@@ -4,3 +4,3 @@\n 4\n-5\n+five\n 6\n")
        let two = UnifiedDiff.lines((1...20).map(String.init), (1...20).map { $0 == 2 || $0 == 18 ? "x" : String($0) }, context: 1)
        #expect(two == "@@ -1,3 +1,3 @@\n 1\n-2\n+x\n 3\n@@ -17,3 +17,3 @@\n 17\n-18\n+x\n 19\n")
        #expect(UnifiedDiff.lines([], ["new"]) == "@@ -0,0 +1,1 @@\n+new\n")
        #expect(UnifiedDiff.lines(["a", "b", "c"], ["a", "c"]) == "@@ -1,3 +1,2 @@\n a\n-b\n c\n")
    }
}
