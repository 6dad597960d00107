import Foundation
import MMSClient

/// A message `mms` can print as JSON.
///
/// The rules, for scripts: keys are the proto field names in snake case, in field order; every
/// field is present (an absent message is `null`); enums are their lower-case names without the
/// enum's prefix (`in_progress`); a time field `x_micros` is printed as `x`, an ISO 8601 UTC
/// string, or `null` when not set; bytes are base64.
protocol JSONPrintable {
    var json: JSONValue { get }
}

extension Optional where Wrapped: JSONPrintable {
    var json: JSONValue { self?.json ?? .null }
}

extension HealthCheckResponse: JSONPrintable {
    var json: JSONValue { .object(["status": status.json]) }
}

extension Tenant: JSONPrintable {
    var json: JSONValue {
        .object(["tenant_id": .string(tenantId), "display_name": .string(displayName), "create_date": TimeText.json(micros: createDateMicros)])
    }
}

extension ListTenantsResponse: JSONPrintable {
    var json: JSONValue { .object(["tenants": .array(tenants.map(\.json))]) }
}

extension TokenInfo: JSONPrintable {
    var json: JSONValue {
        .object([
            "token_id": .string(tokenId), "tenant_id": .string(tenantId), "role": role.json, "description": .string(description),
            "create_date": TimeText.json(micros: createDateMicros), "revoked_date": TimeText.json(micros: revokedDateMicros),
        ])
    }
}

extension CreateTokenResponse: JSONPrintable {
    var json: JSONValue { .object(["info": info.json, "token": .string(token)]) }
}

extension ListTokensResponse: JSONPrintable {
    var json: JSONValue { .object(["tokens": .array(tokens.map(\.json))]) }
}

extension WhoAmIResponse: JSONPrintable {
    var json: JSONValue { .object(["token": token.json]) }
}

extension MigrationStatus: JSONPrintable {
    var json: JSONValue {
        .object([
            "correlation_id": .string(correlationId), "user_id": .string(userId), "user_principal_name": .string(userPrincipalName),
            "state": state.json, "migration_type": migrationType.json, "retry_count": .integer(retryCount),
            "last_message": .string(lastMessage), "create_date": TimeText.json(micros: createDateMicros),
            "modified_date": TimeText.json(micros: modifiedDateMicros), "total_meeting": .integer(totalMeeting),
            "succeeded_meeting": .integer(succeededMeeting), "failed_meeting": .integer(failedMeeting),
            "invites_update": .integer(invitesUpdate), "next_attempt": TimeText.json(micros: nextAttemptMicros),
            "resumes_after": TimeText.json(micros: resumesAfterMicros), "refused_recipients": .integer(refusedRecipients),
        ])
    }
}

extension StartMeetingMigrationResponse: JSONPrintable {
    var json: JSONValue {
        .object(["queued": .bool(queued), "reason": .string(reason), "correlation_id": .string(correlationId), "status": status.json])
    }
}

extension StateUserCount: JSONPrintable {
    var json: JSONValue { .object(["state": state.json, "user_count": .integer(userCount)]) }
}

extension GetMigrationStatusResponse: JSONPrintable {
    var json: JSONValue { .object(["records": .array(records.map(\.json)), "summary": .array(summary.map(\.json))]) }
}

extension MeetingOutcomeRecord: JSONPrintable {
    var json: JSONValue {
        .object([
            "correlation_id": .string(correlationId), "meeting_id": .string(meetingId), "subject": .string(subject),
            "outcome": outcome.json, "reason": .string(reason), "recorded": TimeText.json(micros: recordedMicros),
        ])
    }
}

extension ListMeetingOutcomesResponse: JSONPrintable {
    var json: JSONValue { .object(["outcomes": .array(outcomes.map(\.json))]) }
}

extension TenantMigrationConfiguration: JSONPrintable {
    var json: JSONValue {
        .object(["meeting_migration_enabled": .bool(meetingMigrationEnabled), "status_retention_seconds": .integer(statusRetentionSeconds)])
    }
}

extension DialInConferencingTenantSettings: JSONPrintable {
    var json: JSONValue { .object(["automatically_migrate_user_meetings": .bool(automaticallyMigrateUserMeetings)]) }
}

extension User: JSONPrintable {
    var json: JSONValue {
        .object([
            "user_id": .string(userId), "user_principal_name": .string(userPrincipalName), "sip_address": .string(sipAddress),
            "homing": homing.json, "mailbox": mailbox.json, "teams_upgrade_mode": teamsUpgradeMode.json,
            "audio_conferencing_licensed": .bool(audioConferencingLicensed),
            "audio_conferencing_provider": audioConferencingProvider.json,
            "audio_conferencing_enabled": .bool(audioConferencingEnabled), "bridge_id": .string(bridgeId),
            "conference_id": .string(conferenceId),
        ])
    }
}

extension ListUsersResponse: JSONPrintable {
    var json: JSONValue { .object(["users": .array(users.map(\.json))]) }
}

extension DirectoryChangeResponse: JSONPrintable {
    var json: JSONValue {
        .object([
            "user": user.json, "queued": .bool(queued), "reason": .string(reason), "reason_code": .string(reasonCode),
            "change_applied": .bool(changeApplied), "status": status.json,
        ])
    }
}

extension DialInNumber: JSONPrintable {
    var json: JSONValue { .object(["number": .string(number), "label": .string(label)]) }
}

extension Bridge: JSONPrintable {
    var json: JSONValue { .object(["bridge_id": .string(bridgeId), "name": .string(name), "numbers": .array(numbers.map(\.json))]) }
}

extension ListBridgesResponse: JSONPrintable {
    var json: JSONValue { .object(["bridges": .array(bridges.map(\.json))]) }
}

extension UnassignBridgeNumberResponse: JSONPrintable {
    var json: JSONValue { .object(["bridge": bridge.json, "outcomes": .array(outcomes.map(\.json))]) }
}

extension Attachment: JSONPrintable {
    var json: JSONValue {
        .object(["name": .string(name), "content_type": .string(contentType), "content": .string(Data(content).base64EncodedString())])
    }
}

extension Meeting: JSONPrintable {
    var json: JSONValue {
        .object([
            "meeting_id": .string(meetingId), "organizer": .string(organizer), "attendees": .array(attendees.map(JSONValue.string)),
            "start": TimeText.json(micros: startMicros), "end": TimeText.json(micros: endMicros), "subject": .string(subject),
            "body": .string(body), "body_format": bodyFormat.json, "attachments": .array(attachments.map(\.json)),
            "kind": kind.json, "created_through_service": .bool(createdThroughService), "version": .integer(version), "rrule": .string(rrule),
        ])
    }
}

extension ListMeetingsResponse: JSONPrintable {
    var json: JSONValue { .object(["meetings": .array(meetings.map(\.json))]) }
}

extension Invitation: JSONPrintable {
    var json: JSONValue {
        .object([
            "invitation_id": .string(invitationId), "meeting_id": .string(meetingId), "correlation_id": .string(correlationId),
            "recipients": .array(recipients.map(JSONValue.string)), "subject": .string(subject),
            "created": TimeText.json(micros: createdMicros), "sent": TimeText.json(micros: sentMicros),
            "message_id": .string(messageId),
            "outcomes": .array(outcomes.map {
                .object([
                    "recipient": .string($0.recipient), "state": .string($0.state), "reply": .string($0.reply),
                    "attempts": .integer($0.attempts), "recorded": TimeText.json(micros: $0.recordedMicros),
                ])
            }),
        ])
    }
}

extension ListInvitationsResponse: JSONPrintable {
    var json: JSONValue { .object(["invitations": .array(invitations.map(\.json))]) }
}
