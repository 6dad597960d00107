import Foundation

/// Migrating a meeting that lives in a mailbox other than the built-in calendar (R1, R3).
///
/// The calendar server and the store cannot commit together, so a meeting goes in three steps:
/// (1) its intent is recorded (a failed outcome whose reason starts with
/// ``MigrationEngine/writingMarker`` and names the new join URL); (2) the meeting is written back,
/// conditionally on the revision read (a CalDAV ETag); (3) its outcome and invitation are recorded
/// in one store transaction. A crash between (2) and (3) leaves the intent and a meeting that
/// already carries the new block: the resumed migration finds both and records the meeting
/// without writing it again, so its sequence rises exactly once (R4). A crash before (2) leaves
/// the intent and an unchanged meeting: it is planned and written as usual.
extension MigrationEngine {
    /// How the reason of an in-doubt write begins.
    static let writingMarker = "being written: "
    /// How many times a meeting changed under a migration is read and planned again before the
    /// attempt records it as failed (retried with the migration, M7).
    static let conflictRetries = 3

    func migrateRemote(
        _ entry: MailboxMeeting, in mailbox: any Mailbox, with migrator: MeetingMigrator, organizer: User,
        migration: MigrationStatusRecord, lease: MigrationLease, previous: MeetingOutcomeRecord?
    ) async throws {
        var entry = entry
        func record(_ kind: MeetingOutcome, _ reason: String, invitation: OutgoingInvitation? = nil) async throws {
            let outcome = MeetingOutcomeRecord(
                correlationId: migration.correlationId, meeting: entry.meeting.id, subject: entry.meeting.subject,
                outcome: kind, reason: reason, recorded: clock.now())
            try await store.recordMeetingOutcome(outcome, rewrite: nil, invitation: invitation, lease: lease)
        }
        func invitation(_ entry: MailboxMeeting) -> OutgoingInvitation {
            let written = entry.meeting
            return OutgoingInvitation(
                id: "\(migration.correlationId)/\(written.id)", correlationId: migration.correlationId, tenant: written.tenant,
                meeting: written.id, organizerPrincipalName: organizer.userPrincipalName,
                recipients: MailAddress.distinct(written.attendees, excluding: organizer.userPrincipalName),
                subject: written.subject, body: written.body, bodyFormat: written.bodyFormat,
                attachments: written.attachments, start: written.start, end: written.end, created: clock.now(),
                sequence: written.version, calendarResource: entry.resource.map { String(decoding: $0, as: UTF8.self) })
        }
        if let problem = entry.unreadable {
            try await record(.skipped, problem)
            return
        }
        // An earlier attempt stopped during this meeting's write: if the server took it, the
        // meeting carries the new block; record it as migrated, without writing it again.
        if let previous, previous.outcome == .failed, let written = Self.inDoubtTarget(previous.reason) {
            let identity = InvitationBlock.meetingIdentity(ofJoinURL: written)
            let carries = InvitationBlock.find(in: entry.meeting.body, format: entry.meeting.bodyFormat)
                .contains { InvitationBlock.meetingIdentity(ofJoinURL: $0.joinURL) == identity }
            if carries, identity != nil {
                let kind = InvitationBlock.find(in: entry.meeting.body, format: entry.meeting.bodyFormat).first?.kind
                try await record(.migrated, "now a \(kind?.displayName ?? "new") meeting at \(written)", invitation: invitation(entry))
                return
            }
        }
        for attempt in 0...Self.conflictRetries {
            let plan = await migrator.plan(entry.meeting, organizer: organizer, scope: migration.scope)
            try Task.checkCancellation()
            switch plan {
            case .notSelected:
                return
            case .skip(_, let reason):
                try await record(.skipped, reason)
                return
            case .fail(let reason):
                try await record(.failed, reason)
                return
            case .migrate(let rewritten, let target, let source, _, _):
                var written = entry
                written.meeting = rewritten
                if rewritten.body != entry.meeting.body {
                    // (1) the intent, so a crash after the server took the write is recognised.
                    try await record(.failed, "\(Self.writingMarker)\(target.joinURL) (to \(mailbox.description)); if this stays, "
                        + "the attempt stopped during the write, and the meeting is checked again when the migration resumes")
                    let rewrite = MailboxRewrite(
                        original: entry, source: nil, target: target, body: MeetingMigrator.bodyRewrite(source: source, target: target))
                    do {
                        written = try await mailbox.write(rewrite)
                    } catch MailboxError.changed(let why) {
                        // R3: never overwrite the change; read it again and plan again.
                        guard attempt < Self.conflictRetries else {
                            try await record(.failed, "\(why); it kept changing while it was being migrated, so it is retried later")
                            return
                        }
                        guard let again = try await mailbox.reread(entry, of: organizer, now: clock.now()) else {
                            try await record(.skipped, "\(why), and then deleted")
                            return
                        }
                        if let problem = again.unreadable {
                            try await record(.skipped, problem)
                            return
                        }
                        entry = again
                        continue
                    } catch MailboxError.deleted(let why) {
                        try await record(.skipped, why)
                        return
                    } catch let error as MailboxError {
                        try await record(.failed, error.description)
                        return
                    }
                }
                // (3) written now (or it already carried exactly this block): migrated once, invitation queued.
                try await record(.migrated, "now a \(target.kind.displayName) meeting at \(target.joinURL)", invitation: invitation(written))
                return
            }
        }
    }

    /// The join URL an in-doubt write named, from its outcome's reason.
    static func inDoubtTarget(_ reason: String) -> String? {
        guard reason.hasPrefix(writingMarker) else { return nil }
        let url = reason.dropFirst(writingMarker.count).prefix { $0 != " " }
        return url.isEmpty ? nil : String(url)
    }
}
