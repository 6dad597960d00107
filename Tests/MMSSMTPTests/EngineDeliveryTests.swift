import Foundation
import MMSCore
import MMSCoreTesting
import MMSMailTesting
import MMSSMTP
import MMSSQLite
import Testing

/// The engine's outbox dispatcher with the SMTP sender, against a real server (issue 10's table).
@Suite("Engine delivery over SMTP")
struct EngineDeliveryTests {
    struct Harness {
        let directory: TemporaryDirectory
        let store: SQLiteMigrationStore
        let clock = ManualClock()
        let engine: MigrationEngine
        let smtp: SMTPInvitationSender
        let organizer: User

        init(port: Int?) async throws {
            directory = try TemporaryDirectory()
            store = try SQLiteMigrationStore(directory: directory.path)
            smtp = SMTPInvitationSender(
                store: store, clock: clock,
                configuration: SMTPClientConfiguration(timeouts: SMTPTimeouts(connect: .seconds(10), command: .seconds(20), dataEnd: .seconds(20))),
                password: { _ in nil })
            let sender = TenantRoutingInvitationSender(store: store, smtp: smtp, builtIn: StoreInvitationSender(store: store, clock: clock))
            engine = MigrationEngine(
                store: store, clock: clock, configuration: MigrationEngineConfiguration(hold: .seconds(60), outboxRetryDelay: .seconds(30)),
                sender: sender)
            try await engine.saveBridge(Fixtures.bridge)
            organizer = try await engine.createUser(Fixtures.user("alice"))
            if let port {
                try await store.saveMailSettings(
                    Fixtures.tenant, MailSettings(host: "127.0.0.1", port: port, tls: .none, senderAddress: "mms@contoso.com"))
            }
        }

        /// A meeting with `attendees`, migrated: its invitation is in the outbox, then dispatched.
        func migrate(attendees: [String], format: BodyFormat = .html) async throws -> CalendarMeeting {
            let start = clock.now().addingTimeInterval(2 * 86_400)
            let body = format == .html ? "<p>\(Fixtures.unicodeText)</p>" : "\(Fixtures.unicodeText)\r\n"
            let meeting = try await engine.scheduleMeeting(tenant: Fixtures.tenant, NewMeeting(
                organizer: organizer.userPrincipalName, attendees: attendees, start: start, end: start.addingTimeInterval(3600),
                subject: "Revue trimestrielle – 会議", body: body, bodyFormat: format,
                attachments: [Attachment(name: "plan.pdf", contentType: "application/pdf", content: Data([0, 1, 2, 13, 10, 46, 255]))],
                kind: .skypeOnline))
            _ = try await engine.startMeetingMigration(tenant: Fixtures.tenant, identity: organizer.userPrincipalName)
            clock.advance(by: .seconds(61))
            try await engine.runDueWork()
            return try await engine.meeting(tenant: Fixtures.tenant, id: meeting.id)
        }

        func expectation(_ meeting: CalendarMeeting, recipients: [String]) async throws -> InvitationExpectation {
            let invitation = try #require(try await store.invitations(forMeeting: meeting.id).first)
            #expect(invitation.sequence == meeting.version)
            var expected = SMTPInvitationSenderTests.expectation(invitation, recipients: recipients)
            // The message carries the body the migration wrote into the calendar, byte for byte.
            expected.html_b64 = meeting.bodyFormat == .html ? Data(meeting.body.utf8).base64EncodedString() : nil
            expected.plain_b64 = meeting.bodyFormat == .plainText ? Data(meeting.body.utf8).base64EncodedString() : nil
            expected.sequence = meeting.version
            return expected
        }
    }

    @Test("R5: a migrated meeting's invitation reaches each attendee once, with the rewritten body and the new SEQUENCE")
    func migratedMeeting() async throws {
        let sink = try SMTPSink(["--pipelining"])
        let harness = try await Harness(port: sink.port)
        let meeting = try await harness.migrate(attendees: ["bob@contoso.com", "carol@fabrikam.com"])
        #expect(meeting.version == 2)
        let invitation = try #require(try await harness.store.invitations(forMeeting: meeting.id).first)
        #expect(invitation.sent != nil)
        _ = try sink.check([try await harness.expectation(meeting, recipients: ["bob@contoso.com", "carol@fabrikam.com"])])
        // The built-in recorder was not used for a tenant with mail settings.
        #expect(try await harness.store.deliveries(forMeeting: meeting.id).isEmpty)
        await harness.smtp.shutdown()
    }

    @Test("R5: a recipient refused with 5xx is named in the migration's LastMessage with the server's reply; the others get it")
    func refusedRecipientInLastMessage() async throws {
        let sink = try SMTPSink(["--pipelining", "--reject", "nobody@fabrikam.com"])
        let harness = try await Harness(port: sink.port)
        let meeting = try await harness.migrate(attendees: ["bob@contoso.com", "nobody@fabrikam.com", "carol@fabrikam.com"])
        let invitation = try #require(try await harness.store.invitations(forMeeting: meeting.id).first)
        #expect(invitation.sent != nil, "every recipient's outcome is final: the row leaves the outbox")
        let record = try #require(try await harness.engine.migrationStatus(tenant: Fixtures.tenant).first)
        #expect(record.lastMessage.contains("nobody@fabrikam.com"))
        #expect(record.lastMessage.contains("550 5.1.1"))
        #expect(record.lastMessage.contains("correct the address"))
        #expect(record.refusedRecipients == 1, "the refused recipient is counted in the record")
        let outcomes = try await harness.store.recipientOutcomes(invitationId: invitation.id)
        #expect(outcomes.first { $0.recipient == "nobody@fabrikam.com" }?.state == .failed)
        _ = try sink.check([try await harness.expectation(meeting, recipients: ["bob@contoso.com", "carol@fabrikam.com"])])
        await harness.smtp.shutdown()
    }

    @Test("R5: after a 4xx the outbox row stays, waits its backoff, then each attendee gets exactly one copy")
    func transientThenDelivered() async throws {
        let sink = try SMTPSink(["--pipelining", "--tempfail-data", "1"])
        let harness = try await Harness(port: sink.port)
        let meeting = try await harness.migrate(attendees: ["bob@contoso.com", "carol@fabrikam.com"])
        let invitation = try #require(try await harness.store.invitations(forMeeting: meeting.id).first)
        #expect(invitation.sent == nil)
        #expect(try sink.messages().isEmpty)
        // Within the backoff nothing is tried again.
        #expect(try await harness.engine.dispatchOutbox() == 0)
        #expect(try await harness.store.recipientOutcomes(invitationId: invitation.id).allSatisfy { $0.attempts == 1 && $0.state == .deferred })
        harness.clock.advance(by: .seconds(31))
        #expect(try await harness.engine.dispatchOutbox() == 1)
        #expect(try await harness.store.invitations(forMeeting: meeting.id).first?.sent != nil)
        _ = try sink.check([try await harness.expectation(meeting, recipients: ["bob@contoso.com", "carol@fabrikam.com"])])
        await harness.smtp.shutdown()
    }

    @Test("A tenant without mail settings keeps the built-in recorder")
    func builtInWithoutSettings() async throws {
        let harness = try await Harness(port: nil)
        let meeting = try await harness.migrate(attendees: ["bob@contoso.com"])
        #expect(try await harness.store.deliveries(forMeeting: meeting.id).count == 1)
        #expect(try await harness.store.invitations(forMeeting: meeting.id).first?.sent != nil)
    }

    @Test("tls none to a host that is not loopback is refused unless allowed explicitly")
    func insecureRefused() {
        let settings = MailSettings(host: "smtp.contoso.com", port: 25, tls: .none, senderAddress: "mms@contoso.com")
        #expect(settings.problem()?.contains("--allow-insecure") == true)
        var allowed = settings
        allowed.allowInsecure = true
        #expect(allowed.problem() == nil)
        #expect(MailSettings(host: "127.0.0.1", port: 25, tls: .none, senderAddress: "mms@contoso.com").problem() == nil)
        #expect(MailSettings(host: "127.0.0.2.example.com", port: 25, tls: .none, senderAddress: "mms@contoso.com").problem() != nil)
        #expect(MailSettings(host: "smtp.contoso.com", port: 587, senderAddress: "not an address").problem() != nil)
    }
}
