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
    /// For a recurring meeting, its RRULE value (RFC 5545), e.g. `FREQ=WEEKLY;COUNT=10`; `start`
    /// and `end` are then its first occurrence.
    public var recurrence: String?

    /// Creates a new meeting request.
    public init(
        organizer: String, attendees: [String], start: Date, end: Date, subject: String, body: String,
        bodyFormat: BodyFormat, attachments: [Attachment] = [], kind: MeetingKind, createdThroughService: Bool = true,
        recurrence: String? = nil
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
        self.recurrence = recurrence
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
        // A meeting in the past would be stored and never shown or migrated (M2 takes future meetings only);
        // a series may have begun, but must have an occurrence still to come (R2).
        let now = clock.now()
        let recurrence = try request.recurrence.map { try FieldRules.recurrence($0) }
        if let recurrence {
            let probe = CalendarMeeting(
                tenant: tenant, organizer: organizer.id, attendees: [], start: request.start, end: request.end, subject: "", body: "",
                bodyFormat: request.bodyFormat, kind: request.kind, createdThroughService: false, recurrence: recurrence)
            guard probe.nextOccurrence(endingAfter: now) != nil else {
                throw MigrationEngineError(
                    code: .invalidArgument, field: "rrule",
                    message: "the series \(recurrence) from \(Self.isoText(request.start)) has no occurrence after now (\(Self.isoText(now))): it is wholly in the past")
            }
        } else if request.start < now {
            throw MigrationEngineError(
                code: .invalidArgument, field: "start",
                message: "start (\(Self.isoText(request.start))) is in the past (now \(Self.isoText(now))): a meeting must start in the future")
        }
        // One copy per mailbox, organiser left out (issue 9): spellings that differ only in case are one person.
        let attendees = MailAddress.distinct(request.attendees, excluding: organizer.userPrincipalName)
        var meeting = CalendarMeeting(
            tenant: tenant, organizer: organizer.id, attendees: attendees, start: request.start, end: request.end,
            subject: request.subject, body: request.body, bodyFormat: request.bodyFormat, attachments: request.attachments,
            kind: request.kind, createdThroughService: request.createdThroughService, recurrence: recurrence)
        if request.createdThroughService {
            let online = try await conferencing.service(for: request.kind).schedule(for: meeting, organizer: organizer)
            meeting.body = InvitationBlock.appending(online.joinDetails, to: request.body, format: request.bodyFormat)
        }
        let mailbox = try await tenantMailbox(tenant)
        if mailbox is BuiltInMailbox {
            try await store.saveMeeting(meeting)
            return meeting
        }
        // A calendar server: the event is created in the organiser's calendar (never over one).
        do {
            return try await mailbox.add(meeting, organizer: organizer).meeting
        } catch let error as MailboxError {
            throw MigrationEngineError(code: .failedPrecondition, field: "meeting", message: "\(mailbox.description): \(error.description)")
        }
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
        let mailbox = try await tenantMailbox(tenant)
        if mailbox is BuiltInMailbox {
            return try await BuiltInMailbox.future(store: store, organizer: organizer, now: from ?? clock.now())
        }
        do {
            return try await mailbox.futureMeetings(of: organizer, now: from ?? clock.now()).filter { $0.unreadable == nil }.map(\.meeting)
        } catch let error as MailboxError {
            throw MigrationEngineError(code: .failedPrecondition, field: "mailbox", message: "\(mailbox.description): \(error.description)")
        }
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
    /// - Throws: ``MigrationEngineError`` `.notFound` when the meeting is not one of `tenant`'s.
    public func invitations(tenant: TenantID, meeting id: MeetingID) async throws -> [OutgoingInvitation] {
        try validate(tenant)
        // The meeting must be this tenant's: the outbox is keyed by meeting id alone (issue 9).
        if try await tenantMailbox(tenant) is BuiltInMailbox {
            _ = try await meeting(tenant: tenant, id: id)
            return try await store.invitations(forMeeting: id).filter { $0.tenant == tenant }
        }
        // A calendar server's meeting (its UID) is known here by its invitations, each the tenant's own.
        let invitations = try await store.invitations(forMeeting: id).filter { $0.tenant == tenant }
        guard !invitations.isEmpty else {
            throw MigrationEngineError(code: .notFound, field: "meeting", message: "no invitation for meeting '\(id)' in tenant '\(tenant)'")
        }
        return invitations
    }

    /// A time as ISO 8601 UTC, for messages.
    static func isoText(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false))
    }
}

/// A tenant's mailbox settings (issue 17): the secret is the server's, not the engine's.
extension MigrationEngine {
    /// `tenant`'s mailbox; a mailbox that cannot be set up is FAILED_PRECONDITION saying why.
    func tenantMailbox(_ tenant: TenantID) async throws -> any Mailbox {
        do {
            return try await mailboxes.mailbox(for: tenant)
        } catch let error as MailboxError {
            throw MigrationEngineError(code: .failedPrecondition, field: "mailbox", message: "the tenant's mailbox: \(error.description)")
        }
    }

    /// Where `tenant`'s meetings live; nil for the built-in calendar.
    public func mailboxSettings(tenant: TenantID) async throws -> MailboxSettings? {
        try validate(tenant)
        return try await store.tenantSettings(tenant).mailbox
    }

    /// Sets where `tenant`'s meetings live (nil: the built-in calendar), after checking every field.
    /// - Throws: ``MigrationEngineError`` `.invalidArgument` naming the field.
    @discardableResult
    public func setMailboxSettings(tenant: TenantID, _ settings: MailboxSettings?) async throws -> MailboxSettings? {
        var checked = settings
        if var settings, settings.kind == .calDAV {
            settings.tenant = tenant
            settings.url = try FieldRules.serverURL(settings.url, allowInsecure: settings.allowInsecureHTTP)
            guard !settings.username.trimmingWhitespace().isEmpty else {
                throw MigrationEngineError(code: .invalidArgument, field: "username", message: "username is empty: give the CalDAV service account")
            }
            try FieldRules.text(settings.username, field: "username")
            settings.pathTemplate = try FieldRules.pathTemplate(settings.pathTemplate)
            try FieldRules.text(settings.caFile, field: "ca_file")
            checked = settings
        } else {
            checked = nil
        }
        let saved = try await updateSettings(tenant) { $0.mailbox = checked }
        return saved.mailbox
    }
}
