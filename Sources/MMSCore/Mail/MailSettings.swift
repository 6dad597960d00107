import Foundation

/// How a tenant's SMTP relay is reached (issue 10): where, with which TLS, as whom, how fast.
///
/// The password is not here: it is a secret kept in a file readable only by the server's user
/// (R6), and this value is what calls may return.
public struct MailSettings: Sendable, Hashable, Codable {
    /// How the connection to the relay is protected.
    public enum TLSMode: String, Sendable, Hashable, Codable, CaseIterable {
        /// Plain TCP, then `STARTTLS` before anything else (the default, port 587).
        case starttls
        /// TLS from the first byte (port 465).
        case tls
        /// No TLS at all: only to a loopback host, unless ``MailSettings/allowInsecure`` is set.
        case none
    }

    /// The relay's host name or address.
    public var host: String
    /// The relay's port.
    public var port: Int
    /// How the connection is protected.
    public var tls: TLSMode
    /// The AUTH user name, if the relay wants one (the password is a secret kept apart).
    public var username: String?
    /// The service's own address: `Sender:`, the envelope's `MAIL FROM`, and ORGANIZER's `SENT-BY`.
    public var senderAddress: String
    /// At most this many messages per second; 0 means no limit.
    public var rateLimit: Double
    /// Set explicitly by an admin to allow `none` to a host that is not loopback.
    public var allowInsecure: Bool

    /// Creates settings.
    public init(
        host: String, port: Int, tls: TLSMode = .starttls, username: String? = nil, senderAddress: String,
        rateLimit: Double = 0, allowInsecure: Bool = false
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.username = username
        self.senderAddress = senderAddress
        self.rateLimit = rateLimit
        self.allowInsecure = allowInsecure
    }

    /// The reason these settings are refused, or nil when they are acceptable.
    ///
    /// Checked when they are set, so a refused configuration never opens a connection.
    public func problem() -> String? {
        if host.isEmpty || host.contains(where: { $0.isWhitespace || $0 == "/" }) { return "the SMTP host '\(host)' is not a host name" }
        if !(1...65535).contains(port) { return "the SMTP port \(port) is not between 1 and 65535" }
        if tls == .none && !allowInsecure && !FieldRules.isLoopback(host) {
            return "--tls none sends the password and every invitation in clear text to \(host); it is allowed only to a "
                + "loopback host, or with --allow-insecure"
        }
        if !MailAddress.isPlausible(senderAddress) { return "the sender address '\(senderAddress)' is not an e-mail address" }
        if !(rateLimit >= 0 && rateLimit.isFinite) { return "the rate limit must be 0 (off) or a positive number of messages per second" }
        if let username, username.isEmpty || username.contains(where: { $0 == "\r" || $0 == "\n" }) {
            return "the user name must be non-empty and on one line"
        }
        return nil
    }
}

/// What happened to one recipient of one invitation (issue 10's table).
public enum RecipientOutcomeState: String, Sendable, Hashable, Codable {
    /// The relay accepted the message for this recipient (`250`).
    case delivered
    /// The relay refused this recipient for good (`5xx`); the reason is its reply.
    case failed
    /// Not yet: a `4xx` or a dropped connection; tried again later.
    case deferred
}

/// One recipient's outcome for one message, keyed by (Message-ID, recipient).
public struct RecipientOutcome: Sendable, Hashable, Codable {
    /// The invitation (outbox row).
    public var invitationId: String
    /// The message's `Message-ID` (derived from ``invitationId``, the same on every resend).
    public var messageId: String
    /// The recipient's address.
    public var recipient: String
    /// What happened.
    public var state: RecipientOutcomeState
    /// The server's reply, or our reason when we did not ask the server.
    public var reply: String
    /// How many times the message was offered for this recipient.
    public var attempts: Int
    /// When this outcome was recorded.
    public var recorded: Date

    /// Creates an outcome.
    public init(
        invitationId: String, messageId: String, recipient: String, state: RecipientOutcomeState, reply: String,
        attempts: Int = 1, recorded: Date
    ) {
        self.invitationId = invitationId
        self.messageId = messageId
        self.recipient = recipient
        self.state = state
        self.reply = reply
        self.attempts = attempts
        self.recorded = recorded
    }
}

/// What one ``InvitationSender/deliver(_:)`` call achieved.
public struct InvitationDelivery: Sendable, Hashable {
    /// Each recipient's outcome after this attempt (final ones recorded earlier included).
    public var outcomes: [RecipientOutcome]
    /// Creates a report.
    public init(outcomes: [RecipientOutcome]) { self.outcomes = outcomes }

    /// The recipients still to try.
    public var deferred: [RecipientOutcome] { outcomes.filter { $0.state == .deferred } }
    /// The recipients the relay refused for good.
    public var failed: [RecipientOutcome] { outcomes.filter { $0.state == .failed } }
}

/// Mail settings and per-recipient outcomes.
public protocol MailDeliveryStore: Sendable {
    /// The tenant's mail settings, or nil when it has none (it then uses the built-in recorder).
    func mailSettings(_ tenant: TenantID) async throws -> MailSettings?
    /// Replaces (or with nil removes) the tenant's mail settings.
    func saveMailSettings(_ tenant: TenantID, _ settings: MailSettings?) async throws
    /// The outcomes recorded for a message, one per recipient.
    func recipientOutcomes(messageId: String) async throws -> [RecipientOutcome]
    /// The outcomes recorded for an invitation, one per recipient.
    func recipientOutcomes(invitationId: String) async throws -> [RecipientOutcome]
    /// Records outcomes in one transaction; a later outcome replaces an earlier one for the same
    /// (message, recipient), except that a final one (delivered, failed) is never replaced.
    func recordRecipientOutcomes(_ outcomes: [RecipientOutcome]) async throws
    /// Keeps an unsent invitation out of ``dueInvitations(limit:now:)`` until `until` (a retry's backoff).
    func deferInvitation(_ id: String, until: Date) async throws
    /// Unsent invitations whose backoff has passed, oldest first.
    func dueInvitations(limit: Int, now: Date) async throws -> [OutgoingInvitation]
    /// Appends `note` to the migration's LastMessage (a recipient refused after the migration ended)
    /// and counts `refusedRecipients` more refused recipients in its record.
    func appendMigrationNote(_ correlationId: CorrelationID, note: String, refusedRecipients: Int, now: Date) async throws
}

extension MailAddress {
    /// Whether `address` looks like `local@domain` with nothing an SMTP command line could not carry
    /// (no spaces, angle brackets or line breaks). Non-ASCII is allowed (RFC 6531).
    public static func isPlausible(_ address: String) -> Bool {
        guard let at = address.lastIndex(of: "@"), at != address.startIndex, address.index(after: at) != address.endIndex else {
            return false
        }
        return !address.unicodeScalars.contains { $0.value <= 32 || $0 == "<" || $0 == ">" || $0.value == 127 }
    }

    /// Whether `address` needs SMTPUTF8 (RFC 6531): it has a character outside ASCII.
    public static func needsSMTPUTF8(_ address: String) -> Bool {
        address.utf8.contains { $0 >= 0x80 }
    }
}
