import Foundation
import MMSCore
import MMSCoreTesting
import MMSSQLite
import Synchronization
import Testing

/// A test double: a mailbox that is not the built-in one (so the engine takes the path of a
/// calendar server: write first, then record), kept over the built-in calendar's tables, with
/// faults injected at exact points that a real server gives only by a race or a crash. The same
/// behaviours against real Radicale and Xandikos are in MMSCalDAVTests.
final class ScriptedMailbox: Mailbox, MailboxDirectory, @unchecked Sendable {
    enum Fault { case none, editBeforeWrite, deleted, denied, unavailable, stopAfterWrite }

    let inner: BuiltInMailbox
    let store: any MigrationStore
    private let state = Mutex<(faults: [Fault], writes: Int, unreadable: Bool)>(([], 0, false))

    init(store: any MigrationStore) {
        self.inner = BuiltInMailbox(store: store)
        self.store = store
    }

    var description: String { "scripted test mailbox" }
    var writes: Int { state.withLock { $0.writes } }
    func script(_ faults: [Fault]) { state.withLock { $0.faults = faults } }
    func markUnreadable() { state.withLock { $0.unreadable = true } }

    func mailbox(for tenant: TenantID) async throws -> any Mailbox { self }

    func futureMeetings(of organizer: User, now: Date) async throws -> [MailboxMeeting] {
        var meetings = try await inner.futureMeetings(of: organizer, now: now)
        if state.withLock({ $0.unreadable }), !meetings.isEmpty {
            meetings[0].unreadable = "calendar/\(meetings[0].meeting.id).ics: line 3 has no ':'"
        }
        return meetings
    }

    func reread(_ meeting: MailboxMeeting, of organizer: User, now: Date) async throws -> MailboxMeeting? {
        try await inner.reread(meeting, of: organizer, now: now)
    }

    func write(_ rewrite: MailboxRewrite) async throws -> MailboxMeeting {
        let fault = state.withLock { $0.faults.isEmpty ? Fault.none : $0.faults.removeFirst() }
        switch fault {
        case .none:
            break
        case .editBeforeWrite:
            // The organiser edits the text before the block between our read and our write.
            var edited = try #require(try await store.meeting(rewrite.original.meeting.tenant, id: rewrite.original.meeting.id))
            edited.body = "EDITED " + edited.body
            edited.version += 1
            try await store.saveMeeting(edited)
        case .deleted: throw MailboxError.deleted("calendar/x.ics was deleted")
        case .denied: throw MailboxError.denied("the CalDAV server refused mms-service's credentials: check --username and --password-file")
        case .unavailable: throw MailboxError.unavailable("cannot connect to 127.0.0.1:9")
        case .stopAfterWrite:
            let written = try await inner.write(rewrite)
            state.withLock { $0.writes += 1 }
            _ = written
            throw CancellationError()  // the process stops after the server's answer, before the outcome is recorded
        }
        var written = try await inner.write(rewrite)
        written.resource = Array("resource of \(written.meeting.id) at version \(written.meeting.version)".utf8)
        state.withLock { $0.writes += 1 }
        return written
    }

    func add(_ meeting: CalendarMeeting, organizer: User) async throws -> MailboxMeeting { try await inner.add(meeting, organizer: organizer) }

    func test(organizer: User, now: Date) async throws -> MailboxTestReport { try await inner.test(organizer: organizer, now: now) }
}

/// The engine with a mailbox other than the built-in calendar (issue 17, R1, R3, R4).
@Suite("Engine: migrating through a mailbox")
struct EngineMailboxTests {
    func harness(leaseDuration: Duration = .seconds(300)) async throws -> (EngineHarness, ScriptedMailbox) {
        let box = Mutex<ScriptedMailbox?>(nil)
        let h = try await EngineHarness.make(configuration: MigrationEngineConfiguration(leaseDuration: leaseDuration), mailboxes: { store in
            let mailbox = ScriptedMailbox(store: store)
            box.withLock { $0 = mailbox }
            return mailbox
        })
        return (h, try #require(box.withLock { $0 }))
    }

    @Test("R1: a meeting in another mailbox is written there once, then recorded migrated with its invitation")
    func migrates() async throws {
        let (h, mailbox) = try await harness()
        let ann = try await h.addUser(Fixtures.user("ann", homing: .onPremises))
        let meeting = try await h.addMeeting(ann, kind: .skypeOnPremises)
        _ = try await h.engine.moveUser(tenant: h.tenant, identity: ann.userPrincipalName, to: .online)
        try await h.passHoldAndRun()
        #expect(mailbox.writes == 1)
        let migrated = try await h.meeting(meeting.id)
        #expect(migrated.version == meeting.version + 1 && InvitationBlock.find(in: migrated.body, format: migrated.bodyFormat).first?.kind == .teams)
        let invitations = try await h.store.invitations(forMeeting: meeting.id)
        #expect(invitations.count == 1)
        // R5: the invitation carries the resource as the mailbox wrote it, and its new sequence.
        #expect(invitations.first?.calendarResource == "resource of \(meeting.id) at version \(migrated.version)")
        #expect(invitations.first?.sequence == migrated.version)
        #expect(try await h.status(ann).first?.state == .succeeded)
    }

    @Test("R3: a meeting changed between read and write is read again and planned again; the change is kept, never overwritten")
    func conflictReplanned() async throws {
        let (h, mailbox) = try await harness()
        let ann = try await h.addUser(Fixtures.user("ann", homing: .onPremises))
        let meeting = try await h.addMeeting(ann, kind: .skypeOnPremises)
        mailbox.script([.editBeforeWrite])
        _ = try await h.engine.moveUser(tenant: h.tenant, identity: ann.userPrincipalName, to: .online)
        try await h.passHoldAndRun()
        let migrated = try await h.meeting(meeting.id)
        #expect(migrated.body.hasPrefix("EDITED "), "the organiser's edit is kept")
        #expect(InvitationBlock.find(in: migrated.body, format: migrated.bodyFormat).first?.kind == .teams)
        #expect(migrated.version == meeting.version + 2, "one edit, one migration")
        #expect(mailbox.writes == 1)
        #expect(try await h.status(ann).first?.state == .succeeded)
    }

    @Test("R4: stopped after the server took the write but before the outcome was recorded, the resumed migration writes nothing again")
    func resumedAfterWrite() async throws {
        let (h, mailbox) = try await harness(leaseDuration: .seconds(60))
        let ann = try await h.addUser(Fixtures.user("ann", homing: .onPremises))
        let meeting = try await h.addMeeting(ann, kind: .skypeOnPremises)
        mailbox.script([.stopAfterWrite])
        _ = try await h.engine.moveUser(tenant: h.tenant, identity: ann.userPrincipalName, to: .online)
        try await h.passHoldAndRun()
        #expect(mailbox.writes == 1)
        #expect(try await h.store.invitations(forMeeting: meeting.id).isEmpty, "nothing recorded yet")
        h.clock.advance(by: .seconds(61))  // the stopped worker's lease ends
        #expect(try await h.engine.runDueWork() == 1)
        #expect(mailbox.writes == 1, "not written a second time")
        let migrated = try await h.meeting(meeting.id)
        #expect(migrated.version == meeting.version + 1, "its sequence rose exactly once")
        #expect(try await h.store.invitations(forMeeting: meeting.id).count == 1)
        #expect(try await h.status(ann).first?.state == .succeeded)
    }

    @Test("Issue 17: deleted is skipped with the reason; denied and unavailable fail with what to fix (retried, M7); unreadable is skipped naming the resource")
    func faults() async throws {
        for (fault, expected, reason) in [
            (ScriptedMailbox.Fault.deleted, MeetingOutcome.skipped, "was deleted"),
            (.denied, .failed, "credentials"),
            (.unavailable, .failed, "cannot connect"),
        ] {
            let (h, mailbox) = try await harness()
            let ann = try await h.addUser(Fixtures.user("ann", homing: .onPremises))
            _ = try await h.addMeeting(ann, kind: .skypeOnPremises)
            mailbox.script([fault])
            _ = try await h.engine.moveUser(tenant: h.tenant, identity: ann.userPrincipalName, to: .online)
            try await h.passHoldAndRun()
            let record = try #require(try await h.status(ann).first)
            let outcomes = try await h.engine.meetingOutcomes(correlationId: record.correlationId)
            #expect(outcomes.count == 1 && outcomes[0].outcome == expected && outcomes[0].reason.contains(reason), "\(fault): \(outcomes)")
            if expected == .failed { #expect(record.state == .inProgress && record.lastMessage.contains(reason), "\(record)") }
        }
        let (h, mailbox) = try await harness()
        let ann = try await h.addUser(Fixtures.user("ann", homing: .onPremises))
        _ = try await h.addMeeting(ann, kind: .skypeOnPremises)
        mailbox.markUnreadable()
        _ = try await h.engine.moveUser(tenant: h.tenant, identity: ann.userPrincipalName, to: .online)
        try await h.passHoldAndRun()
        let record = try #require(try await h.status(ann).first)
        let outcomes = try await h.engine.meetingOutcomes(correlationId: record.correlationId)
        #expect(outcomes.first?.outcome == .skipped && outcomes.first?.reason.contains(".ics: line 3") == true)
        #expect(mailbox.writes == 0)
    }
}
