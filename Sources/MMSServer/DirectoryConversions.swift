import Foundation
import MMSCore
import MMSMessages
import MMSRPC

/// Conversions of directory and calendar types between the API and the engine.
extension Convert {
    static func homing(_ homing: MMSCore.Homing) -> MMSMessages.Homing {
        homing == .online ? .online : .onPremises
    }

    static func homing(_ homing: MMSMessages.Homing, field: String) throws -> MMSCore.Homing {
        switch homing {
        case .unspecified: throw RPCError(.invalidArgument, "\(field) is missing: give HOMING_ONLINE or HOMING_ON_PREMISES")
        case .online: return .online
        case .onPremises: return .onPremises
        }
    }

    static func mode(_ mode: MMSCore.TeamsUpgradeMode?) -> MMSMessages.TeamsUpgradeMode {
        switch mode {
        case nil: .unspecified
        case .islands: .islands
        case .skypeForBusinessOnly: .sfbOnly
        case .skypeForBusinessWithTeamsCollab: .sfbWithTeamsCollab
        case .skypeForBusinessWithTeamsCollabAndMeetings: .sfbWithTeamsCollabAndMeetings
        case .teamsOnly: .teamsOnly
        }
    }

    static func mode(_ mode: MMSMessages.TeamsUpgradeMode, field: String) throws -> MMSCore.TeamsUpgradeMode {
        switch mode {
        case .unspecified: throw RPCError(.invalidArgument, "\(field) is missing: give a TeamsUpgradePolicy mode such as TEAMS_UPGRADE_MODE_TEAMS_ONLY")
        case .islands: return .islands
        case .sfbOnly: return .skypeForBusinessOnly
        case .sfbWithTeamsCollab: return .skypeForBusinessWithTeamsCollab
        case .sfbWithTeamsCollabAndMeetings: return .skypeForBusinessWithTeamsCollabAndMeetings
        case .teamsOnly: return .teamsOnly
        }
    }

    static func provider(_ provider: MMSMessages.AudioConferencingProvider, field: String) throws -> MMSCore.AudioConferencingProvider {
        switch provider {
        case .unspecified: throw RPCError(.invalidArgument, "\(field) is missing: give AUDIO_CONFERENCING_PROVIDER_MICROSOFT or _THIRD_PARTY")
        case .microsoft: return .microsoft
        case .thirdParty: return .thirdParty
        }
    }

    static func user(_ user: MMSCore.User) -> MMSMessages.User {
        MMSMessages.User(
            userId: user.id.rawValue,
            userPrincipalName: user.userPrincipalName,
            sipAddress: user.sipAddress,
            homing: self.homing(user.homing),
            mailbox: user.mailbox == .online ? .online : .onPremisesExchange,
            teamsUpgradeMode: self.mode(user.teamsUpgradeMode),
            audioConferencingLicensed: user.audioConferencing.licensed,
            audioConferencingProvider: user.audioConferencing.provider == .microsoft ? .microsoft : .thirdParty,
            audioConferencingEnabled: user.audioConferencing.enabled,
            bridgeId: user.audioConferencing.bridge?.rawValue ?? "",
            conferenceId: user.audioConferencing.conferenceId ?? ""
        )
    }

    /// The engine's user for a create request; unset enums take the usual defaults (online, online
    /// mailbox, Microsoft). Every field follows ``FieldRules`` (the rules a change follows too).
    static func newUser(_ user: MMSMessages.User, tenant: TenantID) throws -> MMSCore.User {
        try Validate.rule { try FieldRules.text(user.userId, field: "user.user_id") }
        let created = MMSCore.User(
            tenant: tenant,
            userPrincipalName: user.userPrincipalName,
            sipAddress: user.sipAddress.isEmpty ? nil : user.sipAddress,
            homing: user.homing == .onPremises ? .onPremises : .online,
            mailbox: user.mailbox == .onPremisesExchange ? .onPremisesExchange : .online,
            teamsUpgradeMode: user.teamsUpgradeMode == .unspecified ? nil : try self.mode(user.teamsUpgradeMode, field: "user.teams_upgrade_mode"),
            audioConferencing: AudioConferencing(
                licensed: user.audioConferencingLicensed,
                provider: user.audioConferencingProvider == .thirdParty ? .thirdParty : .microsoft,
                enabled: user.audioConferencingEnabled,
                bridge: user.bridgeId.isEmpty ? nil : BridgeID(user.bridgeId),
                conferenceId: user.conferenceId.isEmpty ? nil : user.conferenceId
            )
        )
        return try Validate.rule { try FieldRules.user(created) }
    }

    static func change(_ outcome: DirectoryChangeOutcome) -> DirectoryChangeResponse {
        var response = self.notQueued(outcome.migration.reason)
        response.user = self.user(outcome.user)
        response.queued = outcome.migration.isQueued
        response.changeApplied = outcome.migration.reason?.changeApplied ?? true
        response.status = outcome.migration.record.map { self.status($0) }
        return response
    }

    static func notQueued(_ reason: NotQueuedReason?) -> DirectoryChangeResponse {
        DirectoryChangeResponse(
            queued: false, reason: reason?.message ?? "", reasonCode: reason?.code.rawValue ?? "", changeApplied: reason?.changeApplied ?? true
        )
    }

    static func bridge(_ bridge: MMSCore.Bridge) -> MMSMessages.Bridge {
        MMSMessages.Bridge(
            bridgeId: bridge.id.rawValue, name: bridge.name,
            numbers: bridge.numbers.map { MMSMessages.DialInNumber(number: $0.number, label: $0.label) }
        )
    }

    static func kind(_ kind: MMSCore.MeetingKind) -> MMSMessages.MeetingKind {
        switch kind {
        case .skypeOnPremises: .skypeOnPremises
        case .skypeOnline: .skypeOnline
        case .teams: .teams
        }
    }

    static func meeting(_ meeting: CalendarMeeting, organizer: String, includeBody: Bool) -> MMSMessages.Meeting {
        MMSMessages.Meeting(
            meetingId: meeting.id.rawValue,
            organizer: organizer,
            attendees: meeting.attendees,
            startMicros: self.micros(meeting.start),
            endMicros: self.micros(meeting.end),
            subject: meeting.subject,
            body: includeBody ? meeting.body : "",
            bodyFormat: meeting.bodyFormat == .html ? .html : .plainText,
            attachments: includeBody ? meeting.attachments.map {
                MMSMessages.Attachment(name: $0.name, contentType: $0.contentType, content: [UInt8]($0.content))
            } : [],
            kind: self.kind(meeting.kind),
            createdThroughService: meeting.createdThroughService,
            version: UInt32(clamping: meeting.version),
            rrule: meeting.recurrence ?? ""
        )
    }
}
