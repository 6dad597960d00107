import Foundation
import Logging
import MMSCore
import NIOCore
import Synchronization

/// Sends invitations as iMIP e-mail through a tenant's SMTP relay, at most once per recipient.
///
/// Before a transaction it reads the outcomes recorded under the message's `Message-ID` and
/// leaves out every recipient already delivered or failed; right after the server's reply to
/// the data it records the outcome of every recipient in one write. A crash between that reply
/// and that write is the one step in which a resend can reach a recipient twice (docs/ENGINE.md).
public final class SMTPInvitationSender: InvitationSender {
    /// Reads a tenant's SMTP password (a secret kept apart from the store; nil when none is set).
    public typealias PasswordProvider = @Sendable (TenantID) throws -> String?

    private let store: any MailDeliveryStore
    private let clock: any MigrationClock
    private let configuration: SMTPClientConfiguration
    private let password: PasswordProvider
    private let logger: Logger
    private let idle = Mutex<[PoolKey: [SMTPSession]]>([:])
    private let nextSlot = Mutex<[TenantID: ContinuousClock.Instant]>([:])
    private let roundTripTotal = Mutex(0)

    private struct PoolKey: Hashable {
        var tenant: TenantID
        var settings: MailSettings
    }

    /// Creates a sender.
    ///
    /// - Parameters:
    ///   - store: mail settings and the per-recipient outcomes.
    ///   - clock: when outcomes are recorded, `Date:` and DTSTAMP.
    ///   - configuration: timeouts, trust roots, pipelining.
    ///   - password: the tenant's SMTP password.
    ///   - logger: where to log (never a secret).
    public init(
        store: any MailDeliveryStore, clock: any MigrationClock = SystemMigrationClock(),
        configuration: SMTPClientConfiguration = SMTPClientConfiguration(), password: @escaping PasswordProvider,
        logger: Logger = Logger(label: "mms.smtp")
    ) {
        self.store = store
        self.clock = clock
        self.configuration = configuration
        self.password = password
        self.logger = logger
    }

    /// How many times this sender waited for an SMTP server so far (pipelined commands count once).
    public var roundTrips: Int { roundTripTotal.withLock { $0 } }

    public func deliver(_ invitation: OutgoingInvitation) async throws -> InvitationDelivery {
        guard let settings = try await store.mailSettings(invitation.tenant) else {
            throw SMTPError("the tenant \(invitation.tenant) has no mail settings")
        }
        let messageId = InvitationMessage.messageId(for: invitation, senderAddress: settings.senderAddress)
        var attempts: [String: Int] = [:]
        var final: Set<String> = []
        for outcome in try await store.recipientOutcomes(messageId: messageId) {
            let key = MailAddress.key(outcome.recipient)
            attempts[key] = outcome.attempts
            if outcome.state != .deferred { final.insert(key) }
        }
        let pending = invitation.recipients.filter { !final.contains(MailAddress.key($0)) }
        guard !pending.isEmpty else { return InvitationDelivery(outcomes: []) }

        func outcome(_ recipient: String, _ state: RecipientOutcomeState, _ reply: String) -> RecipientOutcome {
            RecipientOutcome(
                invitationId: invitation.id, messageId: messageId, recipient: recipient, state: state, reply: reply,
                attempts: (attempts[MailAddress.key(recipient)] ?? 0) + 1, recorded: clock.now())
        }

        try await waitForRateLimit(invitation.tenant, messagesPerSecond: settings.rateLimit)
        var outcomes: [RecipientOutcome] = []
        do {
            var (session, reused) = try await takeSession(invitation.tenant, settings)
            var result: SMTPTransactionResult
            while true {
                // A new session's greeting, EHLO, STARTTLS and AUTH count for this invitation too.
                let before = reused ? session.connection.roundTrips : 0
                do {
                    let transaction = try await run(invitation, pending: pending, on: session, settings: settings, messageId: messageId)
                    result = transaction.result
                    outcomes += transaction.refused.map { outcome($0.0, .failed, $0.1) }
                    addRoundTrips(session.connection.roundTrips - before)
                    break
                } catch let failure as SMTPTransportFailure where reused && !failure.dataSent {
                    // The relay had closed the idle connection: nothing was offered, so a new one is safe.
                    addRoundTrips(session.connection.roundTrips - before)
                    session.connection.close()
                    session = try await openSession(invitation.tenant, settings)
                    reused = false
                }
            }
            outcomes += result.delivered.map { outcome($0.0, .delivered, "\($0.1)") }
            outcomes += result.failed.map { outcome($0.0, .failed, $0.1) }
            outcomes += result.deferred.map { outcome($0.0, .deferred, $0.1) }
            giveBack(session, invitation.tenant, settings)
        } catch let failure as SMTPTransportFailure {
            let decided = Set(outcomes.map { MailAddress.key($0.recipient) })
            outcomes += pending.filter { !decided.contains(MailAddress.key($0)) }.map {
                outcome($0, .deferred, failure.dataSent
                    ? "the connection was lost after the message was sent, before the server confirmed it: \(failure.error)"
                    : "the connection was lost: \(failure.error)")
            }
        } catch {
            outcomes += pending.map { outcome($0, .deferred, "\(error)") }
        }
        // The one write that ends the window in which a resend could duplicate the message.
        try await store.recordRecipientOutcomes(outcomes)
        for failed in outcomes where failed.state == .failed {
            logger.warning("recipient refused by the mail server", metadata: [
                "invitation": "\(invitation.id)", "recipient": "\(failed.recipient)", "reply": "\(failed.reply)",
            ])
        }
        return InvitationDelivery(outcomes: outcomes)
    }

    /// Sends one plain test message with `settings` on a new connection (`mms tenant mail test`).
    ///
    /// - Returns: the server's reply to the message.
    /// - Throws: ``SMTPError`` with the server's reply or the transport error.
    public func sendTest(tenant: TenantID, settings: MailSettings, to recipient: String) async throws -> String {
        let session = try await SMTPSession.open(settings: settings, password: try password(tenant), configuration: configuration)
        defer { Task { await session.connection.quit() } }
        let needsUTF8 = MailAddress.needsSMTPUTF8(recipient) || MailAddress.needsSMTPUTF8(settings.senderAddress)
        if needsUTF8 && !session.offersSMTPUTF8 {
            throw SMTPError("\(recipient) needs SMTPUTF8 (RFC 6531), which \(settings.host) does not offer")
        }
        let id = String(UInt64.random(in: .min ... .max), radix: 36)
        let message = InvitationMessage.test(from: settings.senderAddress, to: recipient, now: clock.now(), id: id)
        let result: SMTPTransactionResult
        do {
            result = try await session.transaction(from: settings.senderAddress, to: [recipient], smtpUTF8: needsUTF8, message: message)
        } catch let failure as SMTPTransportFailure {
            throw failure.error
        }
        if let delivered = result.delivered.first { return "\(delivered.1)" }
        throw SMTPError((result.failed.first ?? result.deferred.first)?.1 ?? "the server did not accept the message")
    }

    /// Closes every idle connection (QUIT first).
    public func shutdown() async {
        let sessions = idle.withLock { pool -> [SMTPSession] in
            defer { pool.removeAll() }
            return pool.values.flatMap { $0 }
        }
        for session in sessions { await session.connection.quit() }
    }

    // MARK: One invitation on one session

    private func run(
        _ invitation: OutgoingInvitation, pending: [String], on session: SMTPSession, settings: MailSettings, messageId: String
    ) async throws -> (result: SMTPTransactionResult, refused: [(String, String)]) {
        // An address with a space, an angle bracket or a control character could end the RCPT TO
        // line early (command injection): it is refused here, never written.
        var refused: [(String, String)] = pending.filter { !MailAddress.isPlausible($0) }.map {
            ($0, "not an e-mail address SMTP can carry (a space, '<', '>' or a control character): correct it in the meeting")
        }
        let pending = pending.filter(MailAddress.isPlausible)
        var recipients = pending
        let useUTF8 = session.offersSMTPUTF8 && pending.contains(where: MailAddress.needsSMTPUTF8)
        if !session.offersSMTPUTF8 {
            recipients = pending.filter { !MailAddress.needsSMTPUTF8($0) }
            refused += pending.filter(MailAddress.needsSMTPUTF8).map {
                ($0, "the address needs SMTPUTF8 (RFC 6531), which the relay \(settings.host) does not offer; "
                    + "give the attendee an ASCII address or use a relay that offers SMTPUTF8")
            }
        }
        guard !recipients.isEmpty else { return (SMTPTransactionResult(), refused) }
        // The To: field lists the attendees the transport can carry (no header injection, no raw
        // UTF-8 without SMTPUTF8); the VEVENT lists them all.
        var shown = invitation
        shown.recipients = invitation.recipients.filter { MailAddress.isPlausible($0) && (useUTF8 || !MailAddress.needsSMTPUTF8($0)) }
        let message = InvitationMessage.build(for: shown, senderAddress: settings.senderAddress, now: clock.now(), calendarFrom: invitation)
        let result = try await session.transaction(from: settings.senderAddress, to: recipients, smtpUTF8: useUTF8, message: message)
        return (result, refused)
    }

    // MARK: Connections and pacing

    private func takeSession(_ tenant: TenantID, _ settings: MailSettings) async throws -> (SMTPSession, reused: Bool) {
        let key = PoolKey(tenant: tenant, settings: settings)
        while let session = idle.withLock({ $0[key]?.popLast() }) {
            if session.isUsable { return (session, true) }
            session.connection.close()
        }
        return (try await openSession(tenant, settings), false)
    }

    private func openSession(_ tenant: TenantID, _ settings: MailSettings) async throws -> SMTPSession {
        do {
            return try await SMTPSession.open(settings: settings, password: try password(tenant), configuration: configuration)
        } catch let error as SMTPError {
            throw SMTPTransportFailure(error: error, dataSent: false)
        }
    }

    private func giveBack(_ session: SMTPSession, _ tenant: TenantID, _ settings: MailSettings) {
        guard session.isUsable else { return }
        let key = PoolKey(tenant: tenant, settings: settings)
        let kept = idle.withLock { pool -> Bool in
            // Settings changed: the connections made with the old ones are closed as they come back.
            for other in pool.keys where other.tenant == tenant && other != key {
                pool[other]?.forEach { $0.connection.close() }
                pool[other] = nil
            }
            guard pool[key, default: []].count < 4 else { return false }
            pool[key, default: []].append(session)
            return true
        }
        if !kept { Task { await session.connection.quit() } }
    }

    private func waitForRateLimit(_ tenant: TenantID, messagesPerSecond: Double) async throws {
        guard messagesPerSecond > 0 else { return }
        let interval = Duration.seconds(1 / messagesPerSecond)
        let wait = nextSlot.withLock { slots -> Duration in
            let now = ContinuousClock.now
            let slot = max(slots[tenant] ?? now, now)
            slots[tenant] = slot + interval
            return slot - now
        }
        if wait > .zero { try await Task.sleep(for: wait) }
    }

    private func addRoundTrips(_ count: Int) {
        roundTripTotal.withLock { $0 += count }
    }
}

/// Picks each invitation's sender by tenant: SMTP for a tenant with mail settings, the built-in
/// recorder for the others (the embedded default).
public struct TenantRoutingInvitationSender: InvitationSender {
    private let store: any MailDeliveryStore
    private let smtp: any InvitationSender
    private let builtIn: any InvitationSender

    /// Creates a router.
    public init(store: any MailDeliveryStore, smtp: any InvitationSender, builtIn: any InvitationSender) {
        self.store = store
        self.smtp = smtp
        self.builtIn = builtIn
    }

    public func deliver(_ invitation: OutgoingInvitation) async throws -> InvitationDelivery {
        try await store.mailSettings(invitation.tenant) == nil ? builtIn.deliver(invitation) : smtp.deliver(invitation)
    }
}
