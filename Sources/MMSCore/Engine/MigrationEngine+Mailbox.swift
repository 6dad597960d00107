import Foundation

/// Migrating a meeting that lives in a mailbox other than the built-in calendar (R1, R3).
///
/// The meeting is written back first, conditionally on the revision read (a CalDAV ETag), and
/// only then are its outcome and invitation recorded, in one store transaction. A crash between
/// the two leaves a meeting that already carries its new block: the resumed migration recognises
/// it (planning it again renders the very body it holds) and records it without writing it
/// again, so its sequence rises exactly once (R4).
extension MigrationEngine {
    /// How many times a meeting changed under a migration is read and planned again before the
    /// attempt records it as failed (retried with the migration, M7).
    static let conflictRetries = 3

    func migrateRemote(
        _ entry: MailboxMeeting, in mailbox: any Mailbox, with migrator: MeetingMigrator, organizer: User,
        migration: MigrationStatusRecord, lease: MigrationLease
    ) async throws {
        var entry = entry
        func record(_ kind: MeetingOutcome, _ reason: String, invitation: OutgoingInvitation? = nil) async throws {
            let outcome = MeetingOutcomeRecord(
                correlationId: migration.correlationId, meeting: entry.meeting.id, subject: entry.meeting.subject,
                outcome: kind, reason: reason, recorded: clock.now())
            try await store.recordMeetingOutcome(outcome, rewrite: nil, invitation: invitation, lease: lease)
        }
        if let problem = entry.unreadable {
            try await record(.skipped, problem)
            return
        }
        for attempt in 0...Self.conflictRetries {
            let plan = await migrator.plan(entry.meeting, organizer: organizer, scope: migration.scope)
            try Task.checkCancellation()
            switch plan {
            case .notSelected:
                return
            case .skip(let reason):
                try await record(.skipped, reason)
                return
            case .fail(let reason):
                try await record(.failed, reason)
                return
            case .migrate(let rewritten, let target, let source):
                var written = rewritten
                if rewritten.body != entry.meeting.body {
                    let rewrite = MailboxRewrite(
                        original: entry, source: nil, target: target, body: MeetingMigrator.bodyRewrite(source: source, target: target))
                    do {
                        written = try await mailbox.write(rewrite).meeting
                    } catch MailboxError.changed(let why) {
                        // R3: never overwrite the change; read it again and plan again.
                        guard attempt < Self.conflictRetries, let again = try await mailbox.reread(entry, of: organizer, now: clock.now()) else {
                            try await record(.failed, "\(why); it kept changing while it was being migrated, so it is retried later")
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
                // Written now, or by an attempt that stopped before recording it (the body already
                // carries the new block): either way it is migrated once, and its invitation queued.
                let invitation = OutgoingInvitation(
                    id: "\(migration.correlationId)/\(written.id)", correlationId: migration.correlationId, tenant: written.tenant,
                    meeting: written.id, organizerPrincipalName: organizer.userPrincipalName,
                    recipients: MailAddress.distinct(written.attendees, excluding: organizer.userPrincipalName),
                    subject: written.subject, body: written.body, bodyFormat: written.bodyFormat,
                    attachments: written.attachments, start: written.start, end: written.end, created: clock.now())
                try await record(.migrated, "now a \(target.kind.displayName) meeting at \(target.joinURL)", invitation: invitation)
                return
            }
        }
    }
}
