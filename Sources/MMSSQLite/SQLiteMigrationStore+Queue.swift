import Foundation
import GRDB
import MMSCore
import MMSStoredForms

extension SQLiteMigrationStore {
    public func enqueueMigration(for user: User, scope: MigrationScope, parameters: EnqueueParameters) async throws -> EnqueueOutcome {
        try await write { db in try Self.enqueue(db, user: user, scope: scope, parameters: parameters) }
    }

    public func claimDueMigrations(now: Date, owner: String, leaseDuration: Duration, limit: Int) async throws -> [ClaimedMigration] {
        try await write { db in
            // Unfinished rows by due time, through the partial index: finished history is never scanned.
            // Follow-ups blocked behind a running migration are filtered here, so however many
            // there are they never hide claimable work further down the queue.
            let candidates = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM migrations AS m INDEXED BY migrations_unfinished_by_due
                    WHERE state IN ('pending', 'inProgress') AND due_at <= ?
                      AND NOT (state = 'pending' AND EXISTS (
                          SELECT 1 FROM migrations AS running
                          WHERE running.tenant = m.tenant AND running.user_id = m.user_id AND running.state = 'inProgress'))
                    ORDER BY due_at, created_at LIMIT ?
                    """,
                arguments: [now.micros, max(1, limit) * 4 + 16])
            var claimed: [ClaimedMigration] = []
            var claimedUsers: Set<String> = []
            for row in candidates where claimed.count < limit {
                let id: String = row["id"]
                let tenant: String = row["tenant"]
                let userId: String = row["user_id"]
                let userKey = tenant + "\u{0}" + userId
                guard !claimedUsers.contains(userKey) else { continue }
                if (row["state"] as String) == MigrationState.pending.rawValue {
                    // Never two migrations of one user at once: a running (or retrying) one goes first.
                    let running = try Bool.fetchOne(
                        db,
                        sql: "SELECT 1 FROM migrations WHERE tenant = ? AND user_id = ? AND state = 'inProgress' AND id != ? LIMIT 1",
                        arguments: [tenant, userId, id]) ?? false
                    if running { continue }
                }
                let token = (row["lease_token"] as Int64) + 1
                let expires = now.adding(leaseDuration)
                try db.execute(
                    sql: """
                        UPDATE migrations SET state = 'inProgress', lease_owner = ?, lease_token = ?, lease_expires_at = ?,
                            due_at = ?, modified_at = ?, claim_count = claim_count + 1 WHERE id = ?
                        """,
                    arguments: [owner, token, expires.micros, expires.micros, now.micros, id])
                guard let record = try Self.record(db, CorrelationID(id)) else { continue }
                claimedUsers.insert(userKey)
                claimed.append(ClaimedMigration(
                    record: record, lease: MigrationLease(correlationId: record.correlationId, owner: owner, token: token, expires: expires),
                    claimCount: (row["claim_count"] as Int) + 1))
            }
            return claimed
        }
    }

    public func renewLease(_ lease: MigrationLease, now: Date, duration: Duration) async throws -> MigrationLease {
        try await write { db in
            try Self.checkLease(db, lease)
            let expires = now.adding(duration)
            try db.execute(
                sql: "UPDATE migrations SET lease_expires_at = ?, due_at = ? WHERE id = ?",
                arguments: [expires.micros, expires.micros, lease.correlationId.rawValue])
            var renewed = lease
            renewed.expires = expires
            return renewed
        }
    }

    public func meetingOutcomes(_ correlationId: CorrelationID) async throws -> [MeetingOutcomeRecord] {
        // Twice per migration attempt, and for ListMeetingOutcomes: as many rows as the migration
        // has meetings, so on GRDB's reader queue, not the caller's thread; the statement cached.
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM meeting_outcomes WHERE migration_id = ? ORDER BY recorded_at, meeting"),
                arguments: [correlationId.rawValue]
            ).map { row in
                MeetingOutcomeRecord(
                    correlationId: correlationId, meeting: MeetingID(row["meeting"] as String), subject: row["subject"],
                    outcome: MeetingOutcome(rawValue: row["outcome"]) ?? .failed, reason: row["reason"], recorded: row.date("recorded_at"))
            }
        }
    }

    public func recordMeetingOutcome(
        _ outcome: MeetingOutcomeRecord, rewrite: MeetingRewrite?, invitation: OutgoingInvitation?, lease: MigrationLease
    ) async throws {
        // One meeting is a batch of one: the same statements, the same checks.
        let conflicts = try await recordMeetingOutcomes(
            [MeetingOutcomeWrite(outcome: outcome, rewrite: rewrite, invitation: invitation)], lease: lease)
        if let changed = conflicts.first { throw MigrationStoreConflict.meetingChanged(changed) }
    }

    public func finishMigration(_ lease: MigrationLease, state: MigrationState, message: String, now: Date) async throws {
        precondition(state.isFinished, "finishMigration needs a final state")
        try await write { db in
            try Self.checkLease(db, lease)
            try Self.finish(db, lease, MigrationFinish(state: state, message: message, now: now))
        }
    }

    /// Ends the migration of `lease` (checked by the caller, in the same transaction).
    static func finish(_ db: Database, _ lease: MigrationLease, _ finish: MigrationFinish) throws {
        try db.cachedStatement(sql: """
            UPDATE migrations SET state = ?, last_message = ?, modified_at = ?, lease_owner = NULL,
                lease_expires_at = NULL WHERE id = ?
            """).execute(arguments: [finish.state.rawValue, finish.message, finish.now.micros, lease.correlationId.rawValue])
    }

    public func rescheduleMigration(_ lease: MigrationLease, retryAt: Date, message: String, now: Date) async throws {
        try await write { db in
            try Self.checkLease(db, lease)
            try db.execute(
                sql: """
                    UPDATE migrations SET retry_count = retry_count + 1, last_message = ?, due_at = ?, modified_at = ?,
                        lease_owner = NULL, lease_expires_at = NULL WHERE id = ?
                    """,
                arguments: [message, retryAt.micros, now.micros, lease.correlationId.rawValue])
        }
    }

    public func nextDueDate() async throws -> Date? {
        try await read { db in
            try Int64.fetchOne(
                db, sql: "SELECT MIN(due_at) FROM migrations INDEXED BY migrations_unfinished_by_due WHERE state IN ('pending', 'inProgress')"
            ).map(Date.init(micros:))
        }
    }

    // MARK: Helpers inside a transaction

    /// Enqueue-or-merge (M1): merge into the pending migration, else queue (a follow-up when one runs).
    static func enqueue(_ db: Database, user: User, scope: MigrationScope, parameters: EnqueueParameters) throws -> EnqueueOutcome {
        let now = parameters.now.micros
        let due = parameters.dueDate.micros
        // Cached statements: this runs for every trigger, inside the group-commit transaction.
        if let pending = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, skype_treatment, teams_meetings FROM migrations WHERE tenant = ? AND user_id = ? AND state = 'pending'"),
            arguments: [user.tenant.rawValue, user.id.rawValue])
        {
            let id: String = pending[0]
            let merged = scope.merged(with: scopeOf(pending))
            // RETURNING: the record comes back from the statement that changed it (the change is
            // made at the first step, which fetchOne takes).
            let updated = try StatusRows.fetchAll(
                db, db.cachedStatement(
                    sql: """
                        UPDATE migrations SET skype_treatment = ?, teams_meetings = ?, due_at = ?, modified_at = ?,
                            trigger_count = trigger_count + 1,
                            -- Each kind of trigger is listed once, so repeated triggers cannot grow the row.
                            triggers = CASE WHEN instr('; ' || triggers || '; ', '; ' || ?5 || '; ') > 0 THEN triggers ELSE triggers || '; ' || ?5 END,
                            upn = ? WHERE id = ? RETURNING \(recordColumns)
                        """),
                arguments: [merged.skypeMeetings?.rawValue, merged.teamsMeetings, due, now, parameters.trigger, user.userPrincipalName, id])
            return .merged(updated[0])
        }
        let running = try String.fetchOne(
            db.cachedStatement(
                sql: "SELECT id FROM migrations WHERE tenant = ? AND user_id = ? AND state = 'inProgress' ORDER BY created_at DESC LIMIT 1"),
            arguments: [user.tenant.rawValue, user.id.rawValue])
        let id = CorrelationID.random()
        let inserted = try StatusRows.fetchAll(
            db, db.cachedStatement(
                sql: """
                    INSERT INTO migrations (id, tenant, user_id, upn, state, skype_treatment, teams_meetings, created_at, modified_at,
                        due_at, triggers, follow_up_of) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?) RETURNING \(recordColumns)
                    """),
            arguments: [
                id.rawValue, user.tenant.rawValue, user.id.rawValue, user.userPrincipalName, scope.skypeMeetings?.rawValue,
                scope.teamsMeetings, now, now, due, parameters.trigger, running,
            ])
        let created = inserted[0]
        return running == nil ? .queued(created) : .followUp(created)
    }

    static func checkLease(_ db: Database, _ lease: MigrationLease) throws {
        let row = try Row.fetchOne(
            db, sql: "SELECT state, lease_token FROM migrations WHERE id = ?", arguments: [lease.correlationId.rawValue])
        guard let row, (row["state"] as String) == MigrationState.inProgress.rawValue, (row["lease_token"] as Int64) == lease.token else {
            throw MigrationStoreConflict.leaseLost(lease.correlationId)
        }
    }

    static func scopeOf(_ row: Row) -> MigrationScope {
        MigrationScope(
            skypeMeetings: (row["skype_treatment"] as String?).flatMap(SkypeMeetingTreatment.init(rawValue:)),
            teamsMeetings: row["teams_meetings"])
    }

    static func record(_ db: Database, _ id: CorrelationID) throws -> MigrationStatusRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(recordColumns) FROM migrations WHERE id = ?"), arguments: [id.rawValue])
            .map(record(from:))
    }

    /// The columns `record(from:)` reads, in its order (by position: a lookup by name costs a
    /// case-insensitive string comparison per column).
    static let recordColumns = """
        id, tenant, user_id, upn, state, skype_treatment, teams_meetings, retry_count, last_message, created_at, modified_at, \
        total, succeeded, failed, skipped, invites, trigger_count, follow_up_of, \
        CASE WHEN state IN ('pending', 'inProgress') THEN due_at END, lease_owner, refused_recipients
        """

    /// A record from a row selected with `recordColumns`.
    static func record(from row: Row) -> MigrationStatusRecord {
        MigrationStatusRecord(
            correlationId: CorrelationID(row[0] as String),
            tenant: TenantID(row[1] as String),
            userId: UserID(row[2] as String),
            userPrincipalName: row[3],
            state: MigrationState(rawValue: row[4]) ?? .pending,
            scope: MigrationScope(skypeMeetings: (row[5] as String?).flatMap(SkypeMeetingTreatment.init(rawValue:)), teamsMeetings: row[6]),
            retryCount: row[7],
            lastMessage: row[8],
            createDate: Date(micros: row[9]),
            modifiedDate: Date(micros: row[10]),
            totalMeetings: row[11],
            succeededMeetings: row[12],
            failedMeetings: row[13],
            skippedMeetings: row[14],
            invitesUpdated: row[15],
            triggerCount: row[16],
            followUpOf: (row[17] as String?).map(CorrelationID.init(rawValue:)),
            nextAttempt: (row[18] as Int64?).map(Date.init(micros:)),
            leaseOwner: row[19],
            refusedRecipients: row[20])
    }
}
