import Foundation

/// A file attached to a meeting invitation; kept byte for byte by every migration (M3).
public struct Attachment: Sendable, Hashable, Codable {
    /// The file name.
    public var name: String
    /// The MIME type, e.g. `application/pdf`.
    public var contentType: String
    /// The file's bytes.
    public var content: Data

    /// Creates an attachment.
    public init(name: String, contentType: String, content: Data) {
        self.name = name
        self.contentType = contentType
        self.content = content
    }
}

/// A meeting in its organiser's calendar: what the invitation says.
public struct CalendarMeeting: Sendable, Hashable, Codable {
    /// The meeting's identifier in the calendar.
    public var id: MeetingID
    /// The tenant.
    public var tenant: TenantID
    /// The organiser.
    public var organizer: UserID
    /// The attendees' addresses, organiser excluded.
    public var attendees: [String]
    /// When the meeting starts.
    public var start: Date
    /// When the meeting ends.
    public var end: Date
    /// The subject line.
    public var subject: String
    /// The invitation body; its online-meeting block is the only part a migration rewrites.
    public var body: String
    /// Whether ``body`` is HTML or plain text.
    public var bodyFormat: BodyFormat
    /// The attachments.
    public var attachments: [Attachment]
    /// The kind of online meeting the invitation currently carries.
    public var kind: MeetingKind
    /// Whether the meeting was scheduled through the service (so it exists in its
    /// conferencing service) rather than carrying a pasted block (M4). Informational:
    /// the migration checks the conferencing service itself.
    public var createdThroughService: Bool
    /// Incremented on every write, so a migration never overwrites a change it did not see.
    public var version: Int
    /// For a recurring meeting, its RRULE value (RFC 5545), e.g. `FREQ=WEEKLY;COUNT=10`, with
    /// ``start``/``end`` its first occurrence; nil for a single meeting (R2).
    public var recurrence: String?

    /// Creates a calendar meeting.
    public init(
        id: MeetingID = .random(),
        tenant: TenantID,
        organizer: UserID,
        attendees: [String],
        start: Date,
        end: Date,
        subject: String,
        body: String,
        bodyFormat: BodyFormat,
        attachments: [Attachment] = [],
        kind: MeetingKind,
        createdThroughService: Bool,
        version: Int = 1,
        recurrence: String? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.organizer = organizer
        self.attendees = attendees
        self.start = start
        self.end = end
        self.subject = subject
        self.body = body
        self.bodyFormat = bodyFormat
        self.attachments = attachments
        self.kind = kind
        self.createdThroughService = createdThroughService
        self.version = version
        self.recurrence = recurrence
    }

    /// The number of distinct participants, organiser included (M5).
    public func participantCount(organizerAddress: String) -> Int {
        MailAddress.distinct(attendees, excluding: organizerAddress).count + 1
    }
}

/// A meeting as a conferencing service keeps it: what its join URL leads to.
public struct OnlineMeeting: Sendable, Hashable, Codable {
    /// The service that hosts the meeting.
    public var kind: MeetingKind
    /// The join URL; a meeting's identity in its service.
    public var joinURL: String
    /// The tenant.
    public var tenant: TenantID
    /// The organiser.
    public var organizer: UserID
    /// The calendar meeting this online meeting was scheduled for.
    public var calendarMeeting: MeetingID
    /// The conference id, when the organiser has audio conferencing.
    public var conferenceId: String?
    /// The dial-in numbers the invitation shows.
    public var dialInNumbers: [DialInNumber]

    /// Creates an online meeting.
    public init(
        kind: MeetingKind,
        joinURL: String,
        tenant: TenantID,
        organizer: UserID,
        calendarMeeting: MeetingID,
        conferenceId: String? = nil,
        dialInNumbers: [DialInNumber] = []
    ) {
        self.kind = kind
        self.joinURL = joinURL
        self.tenant = tenant
        self.organizer = organizer
        self.calendarMeeting = calendarMeeting
        self.conferenceId = conferenceId
        self.dialInNumbers = dialInNumbers
    }

    /// The join details an invitation block is rendered from.
    public var joinDetails: JoinDetails {
        JoinDetails(kind: kind, joinURL: joinURL, conferenceId: conferenceId, dialInNumbers: dialInNumbers)
    }
}
