import Foundation

/// An updated meeting invitation, sent to every attendee on the organiser's behalf (M2 step 4).
///
/// Recorded in the outbox in the same transaction as the meeting's new state; its ``id`` is the
/// idempotency key every ``InvitationSender`` must honour.
public struct OutgoingInvitation: Sendable, Hashable, Codable {
    /// The idempotency key.
    public var id: String
    /// The migration that produced it.
    public var correlationId: CorrelationID
    /// The tenant.
    public var tenant: TenantID
    /// The meeting.
    public var meeting: MeetingID
    /// The organiser, on whose behalf it is sent.
    public var organizerPrincipalName: String
    /// The attendees.
    public var recipients: [String]
    /// The subject.
    public var subject: String
    /// The whole rewritten body.
    public var body: String
    /// The body's format.
    public var bodyFormat: BodyFormat
    /// The attachments, unchanged.
    public var attachments: [Attachment]
    /// The meeting's start.
    public var start: Date
    /// The meeting's end.
    public var end: Date
    /// When it was recorded.
    public var created: Date
    /// When it was sent, if it was.
    public var sent: Date?
    /// The iCalendar SEQUENCE the migration wrote (the meeting's version after the rewrite); nil
    /// for rows recorded before issue 10.
    public var sequence: Int?
    /// For a meeting on a calendar server, its rewritten resource (iCalendar text): the invitation
    /// sends it as its REQUEST (METHOD and ORGANIZER;SENT-BY set, every other line as stored). Nil
    /// for a built-in meeting, whose calendar is written from the fields above.
    public var calendarResource: String?

    /// Creates an invitation.
    public init(
        id: String, correlationId: CorrelationID, tenant: TenantID, meeting: MeetingID,
        organizerPrincipalName: String, recipients: [String], subject: String, body: String,
        bodyFormat: BodyFormat, attachments: [Attachment], start: Date, end: Date, created: Date, sent: Date? = nil,
        sequence: Int? = nil, calendarResource: String? = nil
    ) {
        self.id = id
        self.correlationId = correlationId
        self.tenant = tenant
        self.meeting = meeting
        self.organizerPrincipalName = organizerPrincipalName
        self.recipients = recipients
        self.subject = subject
        self.body = body
        self.bodyFormat = bodyFormat
        self.attachments = attachments
        self.start = start
        self.end = end
        self.created = created
        self.sent = sent
        self.sequence = sequence
        self.calendarResource = calendarResource
    }
}

/// Sends invitations: the SMTP connector (`MMSSMTP`) or the built-in recorder.
public protocol InvitationSender: Sendable {
    /// Sends `invitation` to its recipients on the organiser's behalf and says what happened to each.
    ///
    /// May be called more than once for one invitation (a crash between sending and marking it
    /// sent, or a retry of deferred recipients): implementations must deliver at most once per
    /// ``OutgoingInvitation/id`` and recipient, and skip recipients whose outcome is already final.
    ///
    /// - Returns: the outcomes decided by this call, and every recipient still deferred. A
    ///   recipient decided by an earlier call is not repeated.
    /// - Throws: when nothing could be attempted; the engine then retries the whole invitation later.
    func deliver(_ invitation: OutgoingInvitation) async throws -> InvitationDelivery
}

/// A sender whose delivery is a write to the store (the built-in one): the engine hands it a
/// whole batch of the outbox, and delivery and mark-sent are one transaction (issue 11).
public protocol BatchInvitationSender: InvitationSender {
    /// Delivers every invitation of `batch` to all its recipients and marks it sent, at once and
    /// durably; at most once per ``OutgoingInvitation/id``.
    func deliverAndMarkSent(_ batch: [OutgoingInvitation]) async throws
}

extension InvitationSender {
    /// Sends `invitation`, throwing unless every recipient's outcome is final.
    public func send(_ invitation: OutgoingInvitation) async throws {
        let delivery = try await deliver(invitation)
        if let deferred = delivery.deferred.first {
            throw MailDeliveryDeferred(recipient: deferred.recipient, reply: deferred.reply)
        }
    }
}

/// A recipient whose delivery was put off (a `4xx` or a dropped connection).
public struct MailDeliveryDeferred: Error, CustomStringConvertible {
    /// The recipient.
    public var recipient: String
    /// The server's reply or the transport error.
    public var reply: String
    public var description: String { "delivery to \(recipient) deferred: \(reply)" }
}
