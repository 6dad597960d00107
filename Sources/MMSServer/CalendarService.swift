import Foundation
import MMSCore
import MMSMessages
import MMSRPC

/// `mms.v1.CalendarService`: meetings in users' calendars, and the invitations sent for them.
struct CalendarService: CalendarServiceHandler {
    let engine: MigrationEngine
    let auth: Authenticator
    let audit: Auditor
    /// Largest invitation body accepted, in UTF-8 bytes.
    static let maxBodyBytes = 1024 * 1024
    /// The most attendees one meeting may list (M5 refuses to migrate over 250, but the calendar
    /// keeps what it is given, up to this bound).
    static let maxAttendees = 10_000

    func addMeeting(_ request: AddMeetingRequest, context: ServerContext) async throws -> MMSMessages.Meeting {
        try await self.audit.run(context, target: request.meeting?.organizer ?? "") {
            let tenant = try Caller.tenant()
            guard let meeting = request.meeting else { throw RPCError(.invalidArgument, "meeting is missing") }
            let organizer = try Validate.identity(meeting.organizer, field: "meeting.organizer")
            guard meeting.attendees.count <= Self.maxAttendees else {
                throw RPCError(.invalidArgument, "meeting.attendees has \(meeting.attendees.count) addresses; the limit is \(Self.maxAttendees)")
            }
            let attendees = try meeting.attendees.enumerated().map { index, attendee in
                try Validate.rule { try FieldRules.mailAddress(attendee, field: "meeting.attendees[\(index)]") }
            }
            try Validate.rule { try FieldRules.text(meeting.subject, field: "meeting.subject") }
            try Validate.rule { try FieldRules.text(meeting.body, field: "meeting.body", multiline: true) }
            for (index, attachment) in meeting.attachments.enumerated() {
                try Validate.rule { try FieldRules.text(attachment.name, field: "meeting.attachments[\(index)].name") }
                try Validate.rule { try FieldRules.text(attachment.contentType, field: "meeting.attachments[\(index)].content_type") }
            }
            guard meeting.startMicros != 0, meeting.endMicros != 0 else {
                throw RPCError(.invalidArgument, "meeting.start_micros and meeting.end_micros are required")
            }
            guard meeting.startMicros < meeting.endMicros else {
                throw RPCError(.invalidArgument, "meeting.start_micros is not before meeting.end_micros: a meeting must end after it starts")
            }
            guard meeting.body.utf8.count <= Self.maxBodyBytes else {
                throw RPCError(.invalidArgument, "meeting.body is \(meeting.body.utf8.count) bytes; the limit is \(Self.maxBodyBytes)")
            }
            let format: MMSCore.BodyFormat
            switch meeting.bodyFormat {
            case .unspecified: throw RPCError(.invalidArgument, "meeting.body_format is missing: BODY_FORMAT_HTML or BODY_FORMAT_PLAIN_TEXT")
            case .html: format = .html
            case .plainText: format = .plainText
            }
            let kind: MMSCore.MeetingKind
            switch meeting.kind {
            case .unspecified: throw RPCError(.invalidArgument, "meeting.kind is missing: MEETING_KIND_TEAMS, _SKYPE_ONLINE or _SKYPE_ON_PREMISES")
            case .skypeOnPremises: kind = .skypeOnPremises
            case .skypeOnline: kind = .skypeOnline
            case .teams: kind = .teams
            }
            let new = NewMeeting(
                organizer: organizer, attendees: attendees,
                start: Convert.date(micros: meeting.startMicros)!, end: Convert.date(micros: meeting.endMicros)!,
                subject: meeting.subject, body: meeting.body, bodyFormat: format,
                attachments: meeting.attachments.map { MMSCore.Attachment(name: $0.name, contentType: $0.contentType, content: Data($0.content)) },
                kind: kind, createdThroughService: meeting.createdThroughService,
                recurrence: meeting.rrule.trimmingWhitespace().isEmpty ? nil : meeting.rrule
            )
            let stored = try await Convert.engineCall { try await self.engine.scheduleMeeting(tenant: tenant, new) }
            return Convert.meeting(stored, organizer: organizer, includeBody: true)
        }
    }

    func listMeetings(_ request: ListMeetingsRequest, context: ServerContext) async throws -> ListMeetingsResponse {
        let tenant = try Caller.tenant()
        let identity = try Validate.identity(request.identity)
        let scope = "ListMeetings\n\(identity.lowercased())\n\(request.includeBodies)"
        let after = try Paging.key(request.pageToken, scope: scope, parts: 2)
        let meetings = try await Convert.engineCall { try await self.engine.meetings(tenant: tenant, organizer: identity) }
        func key(_ meeting: CalendarMeeting) -> [String] { [Paging.sortable(Convert.micros(meeting.start)), meeting.id.rawValue] }
        let sorted = meetings.map { (key: key($0), meeting: $0) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        // With bodies, a page also stops at its byte budget: a few large meetings must not exceed the frame limit.
        let page = Paging.page(sorted, after: after, size: Paging.size(request.pageSize), key: \.key) { entry in
            request.includeBodies ? entry.meeting.body.utf8.count + entry.meeting.attachments.reduce(0) { $0 + $1.content.count } + 512 : 512
        }
        return ListMeetingsResponse(
            meetings: page.items.map { Convert.meeting($0.meeting, organizer: identity, includeBody: request.includeBodies) },
            nextPageToken: page.next.map { Paging.token(scope: scope, key: $0) } ?? "")
    }

    func getMeeting(_ request: GetMeetingRequest, context: ServerContext) async throws -> MMSMessages.Meeting {
        let tenant = try Caller.tenant()
        guard !request.meetingId.isEmpty else { throw RPCError(.invalidArgument, "meeting_id is empty") }
        let meeting = try await Convert.engineCall { try await self.engine.meeting(tenant: tenant, id: MeetingID(request.meetingId)) }
        let organizer = try await Convert.engineCall { try await self.engine.user(tenant: tenant, id: meeting.organizer) }
        return Convert.meeting(meeting, organizer: organizer.userPrincipalName, includeBody: true)
    }

    func listInvitations(_ request: ListInvitationsRequest, context: ServerContext) async throws -> ListInvitationsResponse {
        let tenant = try Caller.tenant()
        guard !request.meetingId.isEmpty else { throw RPCError(.invalidArgument, "meeting_id is empty") }
        let scope = "ListInvitations\n\(request.meetingId)"
        let after = try Paging.key(request.pageToken, scope: scope, parts: 2)
        // NOT_FOUND for a meeting that is not this tenant's, exactly as GetMeeting (issue 9).
        let invitations = try await Convert.engineCall { try await self.engine.invitations(tenant: tenant, meeting: MeetingID(request.meetingId)) }
        func key(_ invitation: OutgoingInvitation) -> [String] { [Paging.sortable(Convert.micros(invitation.created)), invitation.id] }
        let sorted = invitations.map { (key: key($0), invitation: $0) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        let page = Paging.page(sorted, after: after, size: Paging.size(request.pageSize), key: \.key)
        var listed: [Invitation] = []
        for invitation in page.items.map(\.invitation) {
            // Per-recipient outcomes of the SMTP sender (issue 10); none for the built-in sender.
            let outcomes = try await Convert.engineCall { try await self.engine.store.recipientOutcomes(invitationId: invitation.id) }
            listed.append(Invitation(
                invitationId: invitation.id, meetingId: invitation.meeting.rawValue, correlationId: invitation.correlationId.rawValue,
                recipients: invitation.recipients, subject: invitation.subject, createdMicros: Convert.micros(invitation.created),
                sentMicros: invitation.sent.map(Convert.micros) ?? 0,
                outcomes: outcomes.map {
                    RecipientOutcome(
                        recipient: $0.recipient, state: $0.state.rawValue, reply: $0.reply, attempts: Int32(clamping: $0.attempts),
                        recordedMicros: Convert.micros($0.recorded))
                },
                messageId: outcomes.first?.messageId ?? ""))
        }
        return ListInvitationsResponse(invitations: listed, nextPageToken: page.next.map { Paging.token(scope: scope, key: $0) } ?? "")
    }

    func importMeetings(_ request: ImportMeetingsRequest, context: ServerContext) async throws -> ImportMeetingsResponse {
        try await self.audit.run(context, target: request.identity) {
            let tenant = try Caller.tenant()
            let identity = try Validate.identity(request.identity)
            let imported = try await Convert.engineCall { try await self.engine.importMeetings(tenant: tenant, identity: identity) }
            return ImportMeetingsResponse(meetings: imported.map { meeting in
                let outcome: ImportOutcome
                switch meeting.outcome {
                case .registered: outcome = .registered
                case .alreadyRegistered: outcome = .alreadyRegistered
                case .pasted: outcome = .pasted
                case .noBlock: outcome = .noBlock
                }
                return MMSMessages.ImportedMeeting(meetingId: meeting.meeting.rawValue, subject: meeting.subject, outcome: outcome, reason: meeting.reason)
            })
        }
    }
}
