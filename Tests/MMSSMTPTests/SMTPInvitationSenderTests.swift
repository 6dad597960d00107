import Foundation
import MMSCore
import MMSCoreTesting
import MMSMailTesting
import MMSSMTP
import MMSSQLite
import NIOCore
import NIOSSL
import Testing

/// The SMTP connector against a real server (aiosmtpd, Tests/Support/smtp_sink.py), every message
/// parsed by Python's `email` and `icalendar` (Tests/Support/check_invitations.py).
@Suite("SMTP invitations")
struct SMTPInvitationSenderTests {
    static let tenant = TenantID("contoso")
    static let service = "mms@contoso.com"

    /// A store with `settings` for the tenant, and a sender over it.
    struct Fixture {
        let directory: TemporaryDirectory
        let store: SQLiteMigrationStore
        let sender: SMTPInvitationSender

        init(
            port: Int, tls: MailSettings.TLSMode = .none, host: String = "127.0.0.1", username: String? = nil,
            password: String? = nil, pipelining: Bool = true, trustRoots: NIOSSLTrustRoots = .default, rateLimit: Double = 0
        ) async throws {
            directory = try TemporaryDirectory()
            store = try SQLiteMigrationStore(directory: directory.path)
            try await store.saveMailSettings(
                SMTPInvitationSenderTests.tenant,
                MailSettings(host: host, port: port, tls: tls, username: username, senderAddress: SMTPInvitationSenderTests.service,
                             rateLimit: rateLimit))
            sender = SMTPInvitationSender(
                store: store,
                configuration: SMTPClientConfiguration(
                    timeouts: SMTPTimeouts(connect: .seconds(10), command: .seconds(20), dataEnd: .seconds(20)),
                    trustRoots: trustRoots, usePipelining: pipelining),
                password: { _ in password })
        }
    }

    static func invitation(
        recipients: [String] = ["bob@contoso.com", "carol@fabrikam.com"], format: BodyFormat = .html, id: String? = nil
    ) -> OutgoingInvitation {
        let start = Date(timeIntervalSince1970: 1_900_000_000)
        let body = format == .html
            ? "<html><body><p>\(Fixtures.unicodeText)</p>\r\n<div>Join: <a href=\"https://teams.microsoft.com/l/meetup-join/x\">Join Microsoft Teams Meeting</a></div>\n.\r\n</body></html>"
            : "\(Fixtures.unicodeText)\r\n.\r\nJoin Microsoft Teams Meeting <https://teams.microsoft.com/l/meetup-join/x>\n" + String(repeating: "long line ", count: 200)
        return OutgoingInvitation(
            id: id ?? "\(UUID().uuidString.lowercased())/\(UUID().uuidString.lowercased())", correlationId: CorrelationID(UUID().uuidString.lowercased()),
            tenant: tenant, meeting: MeetingID("meeting-\(UUID().uuidString.lowercased())"), organizerPrincipalName: "alice@contoso.com",
            recipients: recipients, subject: "Revue trimestrielle – 会議 🇫🇷 " + String(repeating: "x", count: 60), body: body, bodyFormat: format,
            attachments: [
                Attachment(name: "plan.pdf", contentType: "application/pdf", content: Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) })),
                Attachment(name: "ordre du jour é.txt", contentType: "text/plain", content: Data("line\n.\r\nno final newline".utf8)),
            ],
            start: start, end: start.addingTimeInterval(3600), created: Date(), sequence: 3)
    }

    static func expectation(_ invitation: OutgoingInvitation, recipients: [String]? = nil) -> InvitationExpectation {
        func utc(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            return formatter.string(from: date)
        }
        return InvitationExpectation(
            message_id: InvitationMessage.messageId(for: invitation, senderAddress: service), subject: invitation.subject,
            organizer: invitation.organizerPrincipalName, sender: service, uid: invitation.meeting.rawValue,
            sequence: invitation.sequence ?? 0, attendees: invitation.recipients, recipients: recipients ?? invitation.recipients,
            start: utc(invitation.start), end: utc(invitation.end),
            plain_b64: invitation.bodyFormat == .plainText ? Data(invitation.body.utf8).base64EncodedString() : nil,
            html_b64: invitation.bodyFormat == .html ? Data(invitation.body.utf8).base64EncodedString() : nil,
            attachments: invitation.attachments.map {
                .init(name: $0.name, content_type: $0.contentType, content_b64: $0.content.base64EncodedString())
            })
    }

    @Test("R5: every attendee gets the invitation once as an iMIP REQUEST", arguments: [BodyFormat.html, .plainText], [true, false])
    func delivered(format: BodyFormat, pipelining: Bool) async throws {
        let sink = try SMTPSink(pipelining ? ["--pipelining"] : [])
        let fixture = try await Fixture(port: sink.port, pipelining: pipelining)
        let invitation = Self.invitation(format: format)
        let delivery = try await fixture.sender.deliver(invitation)
        #expect(delivery.outcomes.map(\.state) == [.delivered, .delivered])
        #expect(delivery.outcomes.allSatisfy { $0.reply.hasPrefix("250 2.0.0") })
        let recorded = try await fixture.store.recipientOutcomes(invitationId: invitation.id)
        #expect(Set(recorded.map(\.recipient)) == ["bob@contoso.com", "carol@fabrikam.com"])
        #expect(recorded.allSatisfy { $0.state == .delivered && $0.attempts == 1 })
        _ = try sink.check([Self.expectation(invitation)])
        await fixture.sender.shutdown()
    }

    @Test("R5: a resend of a delivered invitation reaches nobody again")
    func noSecondCopy() async throws {
        let sink = try SMTPSink(["--pipelining"])
        let fixture = try await Fixture(port: sink.port)
        let invitation = Self.invitation()
        _ = try await fixture.sender.deliver(invitation)
        let again = try await fixture.sender.deliver(invitation)
        #expect(again.outcomes.isEmpty)
        #expect(try sink.messages().count == 1)
        _ = try sink.check([Self.expectation(invitation)])
        await fixture.sender.shutdown()
    }

    @Test("R5: a 5xx for one recipient fails that recipient with the server's reply; the others are delivered")
    func oneRecipientRefused() async throws {
        let sink = try SMTPSink(["--pipelining", "--reject", "nobody@fabrikam.com"])
        let fixture = try await Fixture(port: sink.port)
        let invitation = Self.invitation(recipients: ["bob@contoso.com", "nobody@fabrikam.com", "carol@fabrikam.com"])
        let delivery = try await fixture.sender.deliver(invitation)
        let byRecipient = Dictionary(uniqueKeysWithValues: delivery.outcomes.map { ($0.recipient, $0) })
        #expect(byRecipient["bob@contoso.com"]?.state == .delivered)
        #expect(byRecipient["carol@fabrikam.com"]?.state == .delivered)
        #expect(byRecipient["nobody@fabrikam.com"]?.state == .failed)
        #expect(byRecipient["nobody@fabrikam.com"]?.reply.contains("550 5.1.1 <nobody@fabrikam.com>: Recipient address rejected") == true)
        #expect(delivery.deferred.isEmpty)
        _ = try sink.check([Self.expectation(invitation, recipients: ["bob@contoso.com", "carol@fabrikam.com"])])
        // Final: a later call offers the message to nobody.
        #expect(try await fixture.sender.deliver(invitation).outcomes.isEmpty)
        await fixture.sender.shutdown()
    }

    @Test("R5: a 4xx defers every recipient; the retry delivers each exactly once")
    func transientFailure() async throws {
        let sink = try SMTPSink(["--tempfail-data", "1"])
        let fixture = try await Fixture(port: sink.port)
        let invitation = Self.invitation()
        let first = try await fixture.sender.deliver(invitation)
        #expect(first.outcomes.map(\.state) == [.deferred, .deferred])
        #expect(first.outcomes.allSatisfy { $0.reply.hasPrefix("451 4.7.1") })
        #expect(try sink.messages().isEmpty)
        let second = try await fixture.sender.deliver(invitation)
        #expect(second.outcomes.map(\.state) == [.delivered, .delivered])
        #expect(second.outcomes.allSatisfy { $0.attempts == 2 })
        _ = try sink.check([Self.expectation(invitation)])
        await fixture.sender.shutdown()
    }

    @Test("R5: a connection dropped in the middle of DATA defers; the retry delivers each exactly once")
    func droppedInData() async throws {
        let sink = try SMTPSink(["--pipelining", "--drop-in-data", "1"])
        let fixture = try await Fixture(port: sink.port)
        let invitation = Self.invitation()
        let first = try await fixture.sender.deliver(invitation)
        #expect(first.outcomes.map(\.state) == [.deferred, .deferred])
        #expect(first.outcomes.allSatisfy { $0.reply.contains("connection") })
        #expect(try sink.messages().isEmpty)
        let second = try await fixture.sender.deliver(invitation)
        #expect(second.outcomes.map(\.state) == [.delivered, .delivered])
        _ = try sink.check([Self.expectation(invitation)])
        await fixture.sender.shutdown()
    }

    @Test("R5: an address that needs SMTPUTF8 fails with the reason when the relay does not offer it")
    func smtpUTF8NotOffered() async throws {
        let sink = try SMTPSink(["--pipelining"])
        let fixture = try await Fixture(port: sink.port)
        let invitation = Self.invitation(recipients: ["bob@contoso.com", "jörg@fabrikam.com"])
        let delivery = try await fixture.sender.deliver(invitation)
        let byRecipient = Dictionary(uniqueKeysWithValues: delivery.outcomes.map { ($0.recipient, $0) })
        #expect(byRecipient["bob@contoso.com"]?.state == .delivered)
        #expect(byRecipient["jörg@fabrikam.com"]?.state == .failed)
        #expect(byRecipient["jörg@fabrikam.com"]?.reply.contains("SMTPUTF8") == true)
        #expect(try sink.messages().map(\.recipients) == [["bob@contoso.com"]])
        await fixture.sender.shutdown()
    }

    @Test("R5: an address that needs SMTPUTF8 is delivered when the relay offers it")
    func smtpUTF8Offered() async throws {
        let sink = try SMTPSink(["--pipelining", "--smtputf8"])
        let fixture = try await Fixture(port: sink.port)
        let invitation = Self.invitation(recipients: ["bob@contoso.com", "jörg@fabrikam.com"])
        let delivery = try await fixture.sender.deliver(invitation)
        #expect(delivery.outcomes.map(\.state) == [.delivered, .delivered])
        _ = try sink.check([Self.expectation(invitation)])
        await fixture.sender.shutdown()
    }

    @Test("The connection is reused: a second invitation needs no greeting, EHLO or AUTH")
    func connectionReuse() async throws {
        let sink = try SMTPSink(["--pipelining"])
        let fixture = try await Fixture(port: sink.port)
        _ = try await fixture.sender.deliver(Self.invitation())
        let afterFirst = fixture.sender.roundTrips
        _ = try await fixture.sender.deliver(Self.invitation())
        let second = fixture.sender.roundTrips - afterFirst
        // Greeting + EHLO + (MAIL, RCPTs, DATA) + the data's end on a new connection; the last two when reused.
        #expect(afterFirst == 4)
        #expect(second == 2)
        await fixture.sender.shutdown()
    }

    @Test("Without PIPELINING, each command is its own round trip")
    func withoutPipelining() async throws {
        let sink = try SMTPSink([])
        let fixture = try await Fixture(port: sink.port, pipelining: false)
        _ = try await fixture.sender.deliver(Self.invitation())
        let afterFirst = fixture.sender.roundTrips
        _ = try await fixture.sender.deliver(Self.invitation())
        // MAIL, 2 × RCPT, DATA, the data's end.
        #expect(fixture.sender.roundTrips - afterFirst == 5)
        await fixture.sender.shutdown()
    }

    @Test("AUTH with the tenant's credentials; a wrong password is reported without the password")
    func authentication() async throws {
        let directory = try TemporaryDirectory()
        let passwordFile = directory.path + "/password"
        try "s3cret-Pa55".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let sink = try SMTPSink(["--pipelining", "--auth-user", "mms", "--auth-password-file", passwordFile])
        let good = try await Fixture(port: sink.port, username: "mms", password: "s3cret-Pa55")
        #expect(try await good.sender.deliver(Self.invitation()).outcomes.map(\.state) == [.delivered, .delivered])
        let bad = try await Fixture(port: sink.port, username: "mms", password: "wrong-password")
        let refused = try await bad.sender.deliver(Self.invitation())
        #expect(refused.outcomes.map(\.state) == [.deferred, .deferred])
        #expect(refused.outcomes.allSatisfy { $0.reply.contains("refused the user name or password") })
        #expect(!refused.outcomes.contains { $0.reply.contains("wrong-password") })
        #expect(try sink.messages().count == 1)
        await good.sender.shutdown()
        await bad.sender.shutdown()
    }

    /// A self-signed certificate for `localhost`, made now with the openssl command.
    static func makeCertificate(in directory: TemporaryDirectory) throws -> (cert: String, key: String) {
        let cert = directory.path + "/cert.pem", key = directory.path + "/key.pem"
        let (status, output) = try SMTPSink.run([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        guard status == 0 else { throw SinkError("the STARTTLS tests need the openssl command to make a certificate: \(output)") }
        return (cert, key)
    }

    @Test("STARTTLS with a certificate made by the test; AUTH only after it")
    func startTLS() async throws {
        let directory = try TemporaryDirectory()
        let (cert, key) = try Self.makeCertificate(in: directory)
        let passwordFile = directory.path + "/password"
        try "tls-secret".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let sink = try SMTPSink([
            "--pipelining", "--tls-cert", cert, "--tls-key", key, "--require-starttls",
            "--auth-user", "mms", "--auth-password-file", passwordFile,
        ])
        let trusted = NIOSSLTrustRoots.certificates(try NIOSSLCertificate.fromPEMFile(cert))
        let fixture = try await Fixture(
            port: sink.port, tls: .starttls, host: "localhost", username: "mms", password: "tls-secret", trustRoots: trusted)
        let invitation = Self.invitation()
        #expect(try await fixture.sender.deliver(invitation).outcomes.map(\.state) == [.delivered, .delivered])
        _ = try sink.check([Self.expectation(invitation)])
        await fixture.sender.shutdown()
    }

    @Test("STARTTLS to a certificate nobody trusts delivers nothing")
    func startTLSUntrusted() async throws {
        let directory = try TemporaryDirectory()
        let (cert, key) = try Self.makeCertificate(in: directory)
        let sink = try SMTPSink(["--pipelining", "--tls-cert", cert, "--tls-key", key, "--require-starttls"])
        let fixture = try await Fixture(port: sink.port, tls: .starttls, host: "localhost")
        let delivery = try await fixture.sender.deliver(Self.invitation())
        #expect(delivery.outcomes.map(\.state) == [.deferred, .deferred])
        #expect(try sink.messages().isEmpty)
        await fixture.sender.shutdown()
    }

    @Test("STARTTLS required but not offered: nothing is sent in clear text")
    func startTLSNotOffered() async throws {
        let sink = try SMTPSink(["--pipelining"])
        let fixture = try await Fixture(port: sink.port, tls: .starttls)
        let delivery = try await fixture.sender.deliver(Self.invitation())
        #expect(delivery.outcomes.map(\.state) == [.deferred, .deferred])
        #expect(delivery.outcomes.allSatisfy { $0.reply.contains("does not offer STARTTLS") })
        #expect(try sink.messages().isEmpty)
        await fixture.sender.shutdown()
    }

    @Test("An address that could end the RCPT TO line early is refused, never written")
    func commandInjectionRefused() async throws {
        let sink = try SMTPSink(["--pipelining"])
        let fixture = try await Fixture(port: sink.port)
        let hostile = "evil@fabrikam.com>\r\nRCPT TO:<spy@fabrikam.com"
        let delivery = try await fixture.sender.deliver(Self.invitation(recipients: ["bob@contoso.com", hostile]))
        let byRecipient = Dictionary(uniqueKeysWithValues: delivery.outcomes.map { ($0.recipient, $0) })
        #expect(byRecipient["bob@contoso.com"]?.state == .delivered)
        #expect(byRecipient[hostile]?.state == .failed)
        let messages = try sink.messages()
        #expect(messages.map(\.recipients) == [["bob@contoso.com"]])
        // Nor does it reach the header: no line of the message starts with what followed the CRLF.
        let text = String(decoding: messages.first?.raw ?? Data(), as: UTF8.self)
        #expect(!text.contains("\r\nRCPT TO:"))
        await fixture.sender.shutdown()
    }
}
