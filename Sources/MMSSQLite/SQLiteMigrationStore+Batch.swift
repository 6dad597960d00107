import Foundation
import GRDB
import MMSCore
import MMSStoredForms

/// The engine's batched writes (issue 11): many meetings' outcomes in one transaction, and the
/// built-in sender's deliveries with their mark-sent in one transaction. Every statement is a
/// cached one, and every JSON encoding is done before the writer is entered, so the single
/// writer spends its time on SQLite's own work.
extension SQLiteMigrationStore {
    /// One meeting's write, encoded outside the writer.
    private struct EncodedWrite: Sendable {
        var write: MeetingOutcomeWrite
        var meetingData: Data?
        var invitationData: Data?
        var onlineMeetingData: Data?
    }

    public func recordMeetingOutcomes(_ writes: [MeetingOutcomeWrite], lease: MigrationLease) async throws -> [MeetingID] {
        try await recordMeetingOutcomes(writes, lease: lease, then: nil)
    }

    public func recordMeetingOutcomes(_ writes: [MeetingOutcomeWrite], lease: MigrationLease, finish: MigrationFinish) async throws -> [MeetingID] {
        try await recordMeetingOutcomes(writes, lease: lease, then: finish)
    }

    private func recordMeetingOutcomes(_ writes: [MeetingOutcomeWrite], lease: MigrationLease, then finish: MigrationFinish?) async throws -> [MeetingID] {
        let encoded = try writes.map { write -> EncodedWrite in
            var write = write
            // The stored version is the expected one + 1, whatever the caller's copy says.
            if let rewrite = write.rewrite { write.rewrite?.rewritten.version = rewrite.expectedVersion + 1 }
            return try EncodedWrite(
                write: write,
                meetingData: write.rewrite.map { try Self.meetingData($0.rewritten) },
                invitationData: write.invitation.map { try Self.invitationData($0) },
                onlineMeetingData: write.onlineMeeting.map(StoredForm.encode))
        }
        return try await self.write { db in
            try Self.checkLease(db, lease)
            var conflicts: [MeetingID] = []
            var counters = CounterDelta()
            for item in encoded {
                let outcome = item.write.outcome
                let previous = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT outcome FROM meeting_outcomes WHERE migration_id = ? AND meeting = ?"),
                    arguments: [outcome.correlationId.rawValue, outcome.meeting.rawValue])
                if let previous, previous != MeetingOutcome.failed.rawValue { continue }  // already done: idempotent

                if let rewrite = item.write.rewrite, let meetingData = item.meetingData {
                    let current = try Int.fetchOne(
                        db.cachedStatement(sql: "SELECT version FROM meetings WHERE id = ?"), arguments: [rewrite.rewritten.id.rawValue])
                    guard current == rewrite.expectedVersion else {
                        conflicts.append(rewrite.rewritten.id)
                        continue
                    }
                    try Self.save(db, rewrite.rewritten, data: meetingData)
                }
                if let online = item.write.onlineMeeting, let data = item.onlineMeetingData {
                    try Self.save(db, online, data: data)
                }
                var invitesAdded = 0
                if let invitation = item.write.invitation, let data = item.invitationData {
                    invitesAdded = try Self.insertInvitation(db, invitation, data: data)
                }
                try Self.upsertOutcome(db, outcome)
                counters.add(replacingFailed: previous != nil, with: outcome.outcome, invites: invitesAdded, now: outcome.recorded)
            }
            try counters.apply(db, lease.correlationId)
            if let finish, conflicts.isEmpty { try Self.finish(db, lease, finish) }
            return conflicts
        }
    }

    public func recordDeliveriesAndMarkSent(_ invitations: [OutgoingInvitation], now: Date) async throws {
        guard !invitations.isEmpty else { return }
        try await write { db in
            for invitation in invitations {
                // The outbox row already holds the invitation's encoding and body: copy them.
                try db.cachedStatement(sql: """
                    INSERT INTO deliveries (id, meeting, attempts, delivered_at, body, data)
                        SELECT id, meeting, 1, ?, body, data FROM outbox WHERE id = ?
                    ON CONFLICT(id) DO UPDATE SET attempts = attempts + 1
                    """).execute(arguments: [now.micros, invitation.id])
                if db.changesCount == 0 {
                    // Not in the outbox (a caller of the sender's own): as recordDelivery does.
                    try Self.insertDelivery(db, invitation, data: try Self.invitationData(invitation), now: now)
                }
                try db.cachedStatement(sql: "UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL")
                    .execute(arguments: [now.micros, invitation.id])
            }
        }
    }

    // MARK: Statements shared with the one-at-a-time writes

    /// An invitation's stored form, without its body (kept as exact bytes beside it).
    static func invitationData(_ invitation: OutgoingInvitation) throws -> Data {
        StoredForm.encode(invitation)
    }

    /// Queues an invitation; returns 1 when it was new, 0 when the migration already queued one for the meeting.
    static func insertInvitation(_ db: Database, _ invitation: OutgoingInvitation, data: Data) throws -> Int {
        try db.cachedStatement(sql: """
            INSERT INTO outbox (id, migration_id, meeting, created_at, sent_at, body, data) VALUES (?, ?, ?, ?, NULL, ?, ?)
            ON CONFLICT DO NOTHING
            """).execute(arguments: [
                invitation.id, invitation.correlationId.rawValue, invitation.meeting.rawValue, invitation.created.micros,
                invitation.body.utf8Data, data,
            ])
        return db.changesCount
    }

    /// Records a first delivery, or counts one more attempt of an earlier one; true when new.
    @discardableResult
    static func insertDelivery(_ db: Database, _ invitation: OutgoingInvitation, data: Data, now: Date) throws -> Bool {
        try db.cachedStatement(sql: """
            INSERT INTO deliveries (id, meeting, attempts, delivered_at, body, data) VALUES (?, ?, 1, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET attempts = attempts + 1
            """).execute(arguments: [invitation.id, invitation.meeting.rawValue, now.micros, invitation.body.utf8Data, data])
        // An upsert that updated reports the change too: tell the two apart by the attempts.
        return try Int.fetchOne(db.cachedStatement(sql: "SELECT attempts FROM deliveries WHERE id = ?"), arguments: [invitation.id]) == 1
    }

    static func upsertOutcome(_ db: Database, _ outcome: MeetingOutcomeRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO meeting_outcomes (migration_id, meeting, subject, outcome, reason, recorded_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(migration_id, meeting) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason,
                recorded_at = excluded.recorded_at, subject = excluded.subject
            """).execute(arguments: [
                outcome.correlationId.rawValue, outcome.meeting.rawValue, outcome.subject, outcome.outcome.rawValue,
                outcome.reason, outcome.recorded.micros,
            ])
    }

    static func save(_ db: Database, _ meeting: OnlineMeeting, data: Data) throws {
        try db.cachedStatement(sql: """
            INSERT INTO online_meetings (join_url, tenant, kind, calendar_meeting, organizer, data, identity)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(join_url) DO UPDATE SET data = excluded.data, calendar_meeting = excluded.calendar_meeting,
                organizer = excluded.organizer, kind = excluded.kind, identity = excluded.identity
            """).execute(arguments: [
                meeting.joinURL, meeting.tenant.rawValue, meeting.kind.rawValue, meeting.calendarMeeting.rawValue,
                meeting.organizer.rawValue, data, identity(ofJoinURL: meeting.joinURL),
            ])
    }
}

/// How a migration's counters move for the outcomes recorded in one transaction: one UPDATE for
/// the whole batch, so recording M meetings costs O(M), not O(M²).
struct CounterDelta {
    var newMeetings = 0
    var replacedFailed = 0
    var migrated = 0
    var failed = 0
    var skipped = 0
    var invites = 0
    var latest: Date?

    mutating func add(replacingFailed: Bool, with outcome: MeetingOutcome, invites added: Int, now: Date) {
        if replacingFailed { replacedFailed += 1 } else { newMeetings += 1 }
        switch outcome {
        case .migrated: migrated += 1
        case .failed: failed += 1
        case .skipped: skipped += 1
        }
        invites += added
        latest = max(latest ?? now, now)
    }

    func apply(_ db: Database, _ id: CorrelationID) throws {
        guard let latest else { return }
        try db.cachedStatement(sql: """
            UPDATE migrations SET
                total = total + :newMeetings,
                succeeded = succeeded + :migrated,
                failed = failed + :failed - :replacedFailed,
                skipped = skipped + :skipped,
                invites = invites + :invites,
                modified_at = :now
            WHERE id = :id
            """).execute(arguments: [
                "id": id.rawValue, "now": latest.micros, "newMeetings": newMeetings, "replacedFailed": replacedFailed,
                "migrated": migrated, "failed": failed, "skipped": skipped, "invites": invites,
            ])
    }
}
