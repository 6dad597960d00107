import Foundation

/// A meeting to add to an organiser's calendar.
public struct NewMeeting: Sendable, Hashable {
    /// The organiser's principal name.
    public var organizer: String
    /// The attendees' addresses.
    public var attendees: [String]
    /// When it starts.
    public var start: Date
    /// When it ends.
    public var end: Date
    /// The subject.
    public var subject: String
    /// The body the organiser wrote. When ``createdThroughService`` is true, the online-meeting
    /// block is appended to it; otherwise it is kept as given (it may carry a pasted block, M4).
    public var body: String
    /// The body's format.
    public var bodyFormat: BodyFormat
    /// The attachments.
    public var attachments: [Attachment]
    /// The kind of online meeting.
    public var kind: MeetingKind
    /// Whether the meeting is scheduled in its conferencing service (the "Add Skype meeting" button).
    public var createdThroughService: Bool

    /// Creates a new meeting request.
    public init(
        organizer: String, attendees: [String], start: Date, end: Date, subject: String, body: String,
        bodyFormat: BodyFormat, attachments: [Attachment] = [], kind: MeetingKind, createdThroughService: Bool = true
    ) {
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
    }
}

/// Calendar operations: adding meetings and reading them back.
extension MigrationEngine {
    /// Adds a meeting to its organiser's calendar, scheduling it in its conferencing service
    /// when ``NewMeeting/createdThroughService`` is set.
    /// - Throws: ``MigrationEngineError`` for an unknown organiser or an end before the start;
    ///   ``ConferencingError`` when the service cannot schedule it.
    public func scheduleMeeting(tenant: TenantID, _ request: NewMeeting) async throws -> CalendarMeeting {
        let organizer = try await user(tenant: tenant, identity: request.organizer)
        guard request.end >= request.start else {
            throw MigrationEngineError(code: .invalidArgument, field: "end", message: "end (\(request.end)) is before start (\(request.start))")
        }
        var meeting = CalendarMeeting(
            tenant: tenant, organizer: organizer.id, attendees: request.attendees, start: request.start, end: request.end,
            subject: request.subject, body: request.body, bodyFormat: request.bodyFormat, attachments: request.attachments,
            kind: request.kind, createdThroughService: request.createdThroughService)
        if request.createdThroughService {
            let online = try await conferencing.service(for: request.kind).schedule(for: meeting, organizer: organizer)
            let block = InvitationBlock.render(online.joinDetails, format: request.bodyFormat)
            let separator = request.bodyFormat == .html ? "\n" : "\n\n"
            meeting.body = request.body.isEmpty ? block : request.body + separator + block
        }
        try await store.saveMeeting(meeting)
        return meeting
    }

    /// Replaces a meeting's body, as the organiser editing the invitation would (version +1).
    /// - Throws: ``MigrationEngineError`` `.notFound`.
    @discardableResult
    public func editMeetingBody(tenant: TenantID, meeting id: MeetingID, body: String) async throws -> CalendarMeeting {
        var meeting = try await meeting(tenant: tenant, id: id)
        meeting.body = body
        meeting.version += 1
        try await store.saveMeeting(meeting)
        return meeting
    }

    /// The meetings `identity` organises that start at or after `from` (default: now).
    public func meetings(tenant: TenantID, organizer identity: String, from: Date? = nil) async throws -> [CalendarMeeting] {
        let organizer = try await user(tenant: tenant, identity: identity)
        return try await store.meetings(tenant, organizedBy: organizer.id, startingFrom: from ?? clock.now())
    }

    /// One meeting, with its current body.
    /// - Throws: ``MigrationEngineError`` `.notFound`.
    public func meeting(tenant: TenantID, id: MeetingID) async throws -> CalendarMeeting {
        try validate(tenant)
        guard let meeting = try await store.meeting(tenant, id: id) else {
            throw MigrationEngineError(code: .notFound, field: "meeting", message: "no meeting '\(id)' in tenant '\(tenant)'")
        }
        return meeting
    }

    /// The updated invitations recorded for a meeting (sent or not).
    public func invitations(tenant: TenantID, meeting id: MeetingID) async throws -> [OutgoingInvitation] {
        try validate(tenant)
        return try await store.invitations(forMeeting: id)
    }
}
