import MMSClient

/// The table views of the API's messages, for people.
enum TextViews {
    /// One Get-CsMeetingMigrationStatus record, field names as the cmdlet prints them.
    static func status(_ record: MigrationStatus) -> String {
        TextLayout.list([
            "CorrelationId": record.correlationId,
            "CreateDate": TimeText.table(micros: record.createDateMicros),
            "FailedMeeting": String(record.failedMeeting),
            "InvitesUpdate": String(record.invitesUpdate),
            "LastMessage": record.lastMessage,
            "MigrationType": record.migrationType.displayName,
            "ModifiedDate": TimeText.table(micros: record.modifiedDateMicros),
            "NextAttempt": TimeText.table(micros: record.nextAttemptMicros),
            "RefusedRecipients": String(record.refusedRecipients),
            "ResumesAfter": TimeText.table(micros: record.resumesAfterMicros),
            "RetryCount": String(record.retryCount),
            "State": record.state.displayName,
            "SucceededMeeting": String(record.succeededMeeting),
            "TotalMeeting": String(record.totalMeeting),
            "UserId": record.userId,
            "UserPrincipalName": record.userPrincipalName,
        ])
    }

    /// The `-SummaryOnly` table: users per state.
    static func summary(_ rows: [StateUserCount]) -> String {
        TextLayout.table(["State", "UserCount"], rows.map { [$0.state.displayName, String($0.userCount)] }, rightAligned: ["UserCount"])
    }

    static func user(_ user: User) -> String {
        TextLayout.list([
            "UserId": user.userId,
            "UserPrincipalName": user.userPrincipalName,
            "SipAddress": user.sipAddress,
            "Homing": user.homing.displayName,
            "Mailbox": user.mailbox.displayName,
            "TeamsUpgradeMode": user.teamsUpgradeMode.cmdletName,
            "AudioConferencingLicensed": TextLayout.flag(user.audioConferencingLicensed),
            "AudioConferencingProvider": user.audioConferencingProvider.displayName,
            "AudioConferencingEnabled": TextLayout.flag(user.audioConferencingEnabled),
            "BridgeId": user.bridgeId,
            "ConferenceId": user.conferenceId,
        ])
    }

    static func users(_ users: [User]) -> String {
        guard !users.isEmpty else { return "No users." }
        return TextLayout.table(
            ["UserPrincipalName", "Homing", "Mailbox", "TeamsUpgradeMode", "Licensed", "Provider", "Enabled", "BridgeId", "ConferenceId"],
            users.map {
                [
                    $0.userPrincipalName, $0.homing.displayName, $0.mailbox.displayName, $0.teamsUpgradeMode.cmdletName,
                    TextLayout.flag($0.audioConferencingLicensed), $0.audioConferencingProvider.displayName,
                    TextLayout.flag($0.audioConferencingEnabled), $0.bridgeId, $0.conferenceId,
                ]
            })
    }

    /// What a directory change did: first a sentence saying whether it queued a migration and, if not,
    /// why; then the details.
    static func change(_ response: DirectoryChangeResponse, subject: String) -> String {
        var lines: [String] = []
        if response.queued {
            lines.append("Queued a migration for \(subject).")
        } else if response.reasonCode == "nothingChanged" {
            lines.append("Nothing to change, no migration queued: \(response.reason)")
        } else if !response.changeApplied {
            lines.append("Refused, nothing was changed and no migration was queued: \(response.reason)")
        } else {
            lines.append("Change applied; no migration queued: \(response.reason.isEmpty ? "not a trigger" : response.reason)")
        }
        var rows: [(String, String)] = [
            ("ChangeApplied", TextLayout.flag(response.changeApplied)),
            ("Queued", TextLayout.flag(response.queued)),
        ]
        if !response.queued {
            rows.append(("Reason", response.reason))
            rows.append(("ReasonCode", response.reasonCode))
        }
        if let status = response.status {
            rows.append(("CorrelationId", status.correlationId))
            rows.append(("State", status.state.displayName))
            rows.append(("MigrationType", status.migrationType.displayName))
        }
        lines.append("")
        lines.append(TextLayout.list(rows))
        return lines.joined(separator: "\n")
    }

    static func token(_ token: TokenInfo) -> String {
        TextLayout.list([
            "TokenId": token.tokenId,
            "TenantId": token.tenantId,
            "Role": token.role.displayName,
            "Description": token.description,
            "CreateDate": TimeText.table(micros: token.createDateMicros),
            "RevokedDate": TimeText.table(micros: token.revokedDateMicros),
        ])
    }

    static func tokens(_ tokens: [TokenInfo]) -> String {
        guard !tokens.isEmpty else { return "No tokens." }
        return TextLayout.table(
            ["TokenId", "TenantId", "Role", "CreateDate", "RevokedDate", "Description"],
            tokens.map {
                [$0.tokenId, $0.tenantId, $0.role.displayName, TimeText.table(micros: $0.createDateMicros),
                 TimeText.table(micros: $0.revokedDateMicros), $0.description]
            })
    }

    static func tenants(_ tenants: [Tenant]) -> String {
        guard !tenants.isEmpty else { return "No tenants." }
        return TextLayout.table(
            ["TenantId", "DisplayName", "CreateDate"],
            tenants.map { [$0.tenantId, $0.displayName, TimeText.table(micros: $0.createDateMicros)] })
    }

    static func bridge(_ bridge: Bridge) -> String {
        let numbers = bridge.numbers.enumerated().map { index, number in
            number.number + (number.label.isEmpty ? "" : "  \(number.label)") + (index == 0 ? "  (default)" : "")
        }
        return TextLayout.list([
            ("BridgeId", bridge.bridgeId),
            ("Name", bridge.name),
            ("Numbers", numbers.joined(separator: "\n")),
        ])
    }

    static func meeting(_ meeting: Meeting, withBody: Bool) -> String {
        var text = TextLayout.list([
            ("MeetingId", meeting.meetingId),
            ("Organizer", meeting.organizer),
            ("Subject", meeting.subject),
            ("Start", TimeText.table(micros: meeting.startMicros)),
            ("End", TimeText.table(micros: meeting.endMicros)),
            ("Kind", meeting.kind.displayName),
            ("BodyFormat", meeting.bodyFormat.displayName),
            ("CreatedThroughService", TextLayout.flag(meeting.createdThroughService)),
            ("Version", String(meeting.version)),
            ("Recurrence", meeting.rrule.isEmpty ? "(single meeting)" : meeting.rrule),
            ("Attendees", meeting.attendees.joined(separator: ", ")),
            ("Attachments", meeting.attachments.map { "\($0.name) (\($0.contentType), \($0.content.count) bytes)" }.joined(separator: "\n")),
        ])
        if withBody {
            text += "\n\nBody (\(meeting.body.utf8.count) bytes):\n" + meeting.body
        }
        return text
    }

    static func meetings(_ meetings: [Meeting]) -> String {
        guard !meetings.isEmpty else { return "No future meetings." }
        return TextLayout.table(
            ["MeetingId", "Start", "Kind", "Version", "Attendees", "Subject"],
            meetings.map {
                [$0.meetingId, TimeText.table(micros: $0.startMicros), $0.kind.displayName, String($0.version),
                 String($0.attendees.count), $0.subject]
            }, rightAligned: ["Version", "Attendees"])
    }

    static func invitations(_ invitations: [Invitation]) -> String {
        guard !invitations.isEmpty else { return "No updated invitations for this meeting." }
        return TextLayout.table(
            ["InvitationId", "CorrelationId", "CreatedDate", "SentDate", "Recipients"],
            invitations.map {
                [$0.invitationId, $0.correlationId, TimeText.table(micros: $0.createdMicros),
                 $0.sentMicros == 0 ? "(in outbox)" : TimeText.table(micros: $0.sentMicros), $0.recipients.joined(separator: ", ")]
            }) + recipientOutcomes(invitations)
    }

    /// Issue 10: what the SMTP relay answered for each recipient, under the invitations.
    static func recipientOutcomes(_ invitations: [Invitation]) -> String {
        let rows = invitations.flatMap { invitation in
            invitation.outcomes.map { [invitation.invitationId, $0.recipient, $0.state, String($0.attempts), $0.reply] }
        }
        guard !rows.isEmpty else { return "" }
        return "\n\n" + TextLayout.table(["InvitationId", "Recipient", "Outcome", "Attempts", "Reply"], rows)
    }

    static func outcomes(_ outcomes: [MeetingOutcomeRecord]) -> String {
        guard !outcomes.isEmpty else { return "No meeting outcomes recorded yet." }
        return TextLayout.table(
            ["MeetingId", "Outcome", "Subject", "Reason"],
            outcomes.map { [$0.meetingId, $0.outcome.displayName, $0.subject, $0.reason] })
    }
}
