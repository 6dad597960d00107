import Foundation
import MMSCore

/// The stored forms of the structured columns the hot paths read and write (issue 11): users (read
/// inside the writer at every trigger), meetings, online meetings and invitations (read and written
/// for every migrated meeting). Binary since schema v7 (``BinaryWriter``: a format byte, then the
/// fields in this file's order); bodies stay beside them as their exact bytes (M8). A row written by
/// an older version holds JSON (first byte `{`, never a format byte) and is still read; schema v7
/// converts every such row.
///
/// Adding a field: give the type a new format byte, write the new form, and keep reading the old.
package enum StoredForm {
    package static let userFormat: UInt8 = 0x01
    package static let meetingFormat: UInt8 = 0x02
    package static let onlineMeetingFormat: UInt8 = 0x03
    package static let invitationFormat: UInt8 = 0x04

    package static func isJSON(_ data: Data) -> Bool { data.first == UInt8(ascii: "{") }

    private static func reader(_ data: Data, _ format: UInt8, _ what: String) throws -> BinaryReader {
        var reader = BinaryReader(data, what: what)
        guard reader.format == format else {
            throw BinaryDecodingError(what: "\(what) (format byte \(data.first.map(String.init) ?? "missing"), expected \(format))", offset: 0)
        }
        reader.skipFormat()
        return reader
    }

    // MARK: User

    package static func encode(_ user: User) -> Data {
        var writer = BinaryWriter(format: userFormat)
        writer.write(user.id.rawValue)
        writer.write(user.tenant.rawValue)
        writer.write(user.userPrincipalName)
        writer.write(user.sipAddress)
        writer.write(user.homing.rawValue)
        writer.write(user.mailbox.rawValue)
        writer.write(user.teamsUpgradeMode?.rawValue)
        let audio = user.audioConferencing
        writer.write(audio.licensed)
        writer.write(audio.provider.rawValue)
        writer.write(audio.enabled)
        writer.write(audio.bridge?.rawValue)
        writer.write(audio.conferenceId)
        return writer.data
    }

    package static func user(_ data: Data) throws -> User {
        if isJSON(data) { return try JSON.decode(User.self, from: data) }
        var reader = try reader(data, userFormat, "user")
        let id = UserID(try reader.string())
        let tenant = TenantID(try reader.string())
        let principalName = try reader.string()
        let sipAddress = try reader.string()
        let homing = try reader.value(Homing.self)
        let mailbox = try reader.value(MailboxLocation.self)
        let mode = try reader.optionalValue(TeamsUpgradeMode.self)
        let licensed = try reader.bool()
        let provider = try reader.value(AudioConferencingProvider.self)
        let enabled = try reader.bool()
        let bridge = try reader.optionalString()
        let conferenceId = try reader.optionalString()
        try reader.end()
        return User(
            id: id, tenant: tenant, userPrincipalName: principalName, sipAddress: sipAddress, homing: homing, mailbox: mailbox,
            teamsUpgradeMode: mode,
            audioConferencing: AudioConferencing(
                licensed: licensed, provider: provider, enabled: enabled, bridge: bridge.map(BridgeID.init(rawValue:)),
                conferenceId: conferenceId))
    }

    // MARK: Attachments

    private static func write(_ attachments: [Attachment], to writer: inout BinaryWriter) {
        writer.write(UInt64(attachments.count))
        for attachment in attachments {
            writer.write(attachment.name)
            writer.write(attachment.contentType)
            writer.write(attachment.content)
        }
    }

    private static func attachments(_ reader: inout BinaryReader) throws -> [Attachment] {
        let count = try reader.count()
        var attachments: [Attachment] = []
        attachments.reserveCapacity(count)
        for _ in 0..<count {
            attachments.append(Attachment(name: try reader.string(), contentType: try reader.string(), content: try reader.data()))
        }
        return attachments
    }

    // MARK: Calendar meeting (its body is stored beside it)

    package static func encode(_ meeting: CalendarMeeting) -> Data {
        var writer = BinaryWriter(format: meetingFormat, capacity: 256)
        writer.write(meeting.id.rawValue)
        writer.write(meeting.tenant.rawValue)
        writer.write(meeting.organizer.rawValue)
        writer.write(meeting.attendees)
        writer.write(meeting.start)
        writer.write(meeting.end)
        writer.write(meeting.subject)
        writer.write(meeting.bodyFormat.rawValue)
        write(meeting.attachments, to: &writer)
        writer.write(meeting.kind.rawValue)
        writer.write(meeting.createdThroughService)
        writer.write(meeting.version)
        writer.write(meeting.recurrence)
        return writer.data
    }

    package static func meeting(_ data: Data, body: String) throws -> CalendarMeeting {
        if isJSON(data) {
            var meeting = try JSON.decode(CalendarMeeting.self, from: data)
            meeting.body = body
            return meeting
        }
        var reader = try reader(data, meetingFormat, "meeting")
        let meeting = CalendarMeeting(
            id: MeetingID(try reader.string()), tenant: TenantID(try reader.string()), organizer: UserID(try reader.string()),
            attendees: try reader.strings(), start: try reader.date(), end: try reader.date(), subject: try reader.string(),
            body: body, bodyFormat: try reader.value(BodyFormat.self), attachments: try attachments(&reader),
            kind: try reader.value(MeetingKind.self), createdThroughService: try reader.bool(), version: try reader.int(),
            recurrence: try reader.optionalString())
        try reader.end()
        return meeting
    }

    // MARK: Online meeting

    package static func encode(_ meeting: OnlineMeeting) -> Data {
        var writer = BinaryWriter(format: onlineMeetingFormat, capacity: 256)
        writer.write(meeting.kind.rawValue)
        writer.write(meeting.joinURL)
        writer.write(meeting.tenant.rawValue)
        writer.write(meeting.organizer.rawValue)
        writer.write(meeting.calendarMeeting.rawValue)
        writer.write(meeting.conferenceId)
        writer.write(UInt64(meeting.dialInNumbers.count))
        for number in meeting.dialInNumbers {
            writer.write(number.number)
            writer.write(number.label)
        }
        return writer.data
    }

    package static func onlineMeeting(_ data: Data) throws -> OnlineMeeting {
        if isJSON(data) { return try JSON.decode(OnlineMeeting.self, from: data) }
        var reader = try reader(data, onlineMeetingFormat, "online meeting")
        let kind = try reader.value(MeetingKind.self)
        let joinURL = try reader.string()
        let tenant = TenantID(try reader.string())
        let organizer = UserID(try reader.string())
        let calendarMeeting = MeetingID(try reader.string())
        let conferenceId = try reader.optionalString()
        let count = try reader.count()
        var numbers: [DialInNumber] = []
        numbers.reserveCapacity(count)
        for _ in 0..<count { numbers.append(DialInNumber(number: try reader.string(), label: try reader.string())) }
        try reader.end()
        return OnlineMeeting(
            kind: kind, joinURL: joinURL, tenant: tenant, organizer: organizer, calendarMeeting: calendarMeeting,
            conferenceId: conferenceId, dialInNumbers: numbers)
    }

    // MARK: Invitation (its body is stored beside it; `sent` is a column of its own)

    package static func encode(_ invitation: OutgoingInvitation) -> Data {
        var writer = BinaryWriter(format: invitationFormat, capacity: 256)
        writer.write(invitation.id)
        writer.write(invitation.correlationId.rawValue)
        writer.write(invitation.tenant.rawValue)
        writer.write(invitation.meeting.rawValue)
        writer.write(invitation.organizerPrincipalName)
        writer.write(invitation.recipients)
        writer.write(invitation.subject)
        writer.write(invitation.bodyFormat.rawValue)
        write(invitation.attachments, to: &writer)
        writer.write(invitation.start)
        writer.write(invitation.end)
        writer.write(invitation.created)
        writer.write(invitation.sequence)
        writer.write(invitation.calendarResource)
        return writer.data
    }

    package static func invitation(_ data: Data, body: String) throws -> OutgoingInvitation {
        if isJSON(data) {
            var invitation = try JSON.decode(OutgoingInvitation.self, from: data)
            invitation.body = body
            return invitation
        }
        var reader = try reader(data, invitationFormat, "invitation")
        let invitation = OutgoingInvitation(
            id: try reader.string(), correlationId: CorrelationID(try reader.string()), tenant: TenantID(try reader.string()),
            meeting: MeetingID(try reader.string()), organizerPrincipalName: try reader.string(), recipients: try reader.strings(),
            subject: try reader.string(), body: body, bodyFormat: try reader.value(BodyFormat.self), attachments: try attachments(&reader),
            start: try reader.date(), end: try reader.date(), created: try reader.date(), sequence: try reader.optionalInt(),
            calendarResource: try reader.optionalString())
        try reader.end()
        return invitation
    }
}
