import Foundation
import Logging
import MMSCore
import MMSStoredForms
import NIOCore
import NIOFoundationCompat
import PostgresNIO

extension PostgresMigrationStore {
    /// The columns `record(from:)` reads, in its order.
    static let recordColumns = """
        m.id, m.tenant, m.user_id, m.upn, m.state, m.skype_treatment, m.teams_meetings, m.retry_count, m.last_message, \
        m.created_at, m.modified_at, m.total, m.succeeded, m.failed, m.skipped, m.invites, m.trigger_count, m.follow_up_of, \
        CASE WHEN m.state IN ('pending', 'inProgress') THEN m.due_at END, m.lease_owner, m.refused_recipients
        """
    static let recordColumnCount = 21

    /// A record from a row whose first columns are `recordColumns`.
    static func record(from row: PostgresRandomAccessRow) throws -> MigrationStatusRecord {
        MigrationStatusRecord(
            correlationId: CorrelationID(try row.get(0, String.self)),
            tenant: TenantID(try row.get(1, String.self)),
            userId: UserID(try row.get(2, String.self)),
            userPrincipalName: try row.get(3),
            state: MigrationState(rawValue: try row.get(4)) ?? .pending,
            scope: MigrationScope(
                skypeMeetings: try row.get(5, String?.self).flatMap(SkypeMeetingTreatment.init(rawValue:)), teamsMeetings: try row.get(6)),
            retryCount: try row.get(7),
            lastMessage: try row.get(8),
            createDate: Date(micros: try row.get(9)),
            modifiedDate: Date(micros: try row.get(10)),
            totalMeetings: try row.get(11),
            succeededMeetings: try row.get(12),
            failedMeetings: try row.get(13),
            skippedMeetings: try row.get(14),
            invitesUpdated: try row.get(15),
            triggerCount: try row.get(16),
            followUpOf: try row.get(17, String?.self).map(CorrelationID.init(rawValue:)),
            nextAttempt: try row.get(18, Int64?.self).map(Date.init(micros:)),
            leaseOwner: try row.get(19),
            refusedRecipients: try row.get(20))
    }

    public func enqueueMigration(for user: User, scope: MigrationScope, parameters: EnqueueParameters) async throws -> EnqueueOutcome {
        let logger = self.logger
        return try await write { connection in try await Self.enqueue(connection, user: user, scope: scope, parameters: parameters, logger) }
    }

    /// Enqueue-or-merge (M1) inside the caller's transaction: merge into the pending migration, else
    /// queue (a follow-up when one runs). A transaction-level advisory lock on the user makes two
    /// servers' triggers for one user take turns; the partial unique index is the rule's last guard.
    static func enqueue(
        _ connection: PostgresConnection, user: User, scope: MigrationScope, parameters: EnqueueParameters, _ logger: Logger
    ) async throws -> EnqueueOutcome {
        let now = parameters.now.micros
        let due = parameters.dueDate.micros
        let tenant = user.tenant.rawValue
        let userId = user.id.rawValue
        try await connection.run("SELECT pg_advisory_xact_lock(hashtext(\(tenant)), hashtext(\(userId)))", logger)
        if let pending = try await connection.rows(
            "SELECT id, skype_treatment, teams_meetings FROM migrations WHERE tenant = \(tenant) AND user_id = \(userId) AND state = 'pending'",
            logger
        ).first?.makeRandomAccess() {
            let id = try pending.get(0, String.self)
            let merged = scope.merged(with: MigrationScope(
                skypeMeetings: try pending.get(1, String?.self).flatMap(SkypeMeetingTreatment.init(rawValue:)), teamsMeetings: try pending.get(2)))
            let trigger = parameters.trigger
            let rows = try await connection.rows(
                """
                UPDATE migrations AS m SET skype_treatment = \(merged.skypeMeetings?.rawValue), teams_meetings = \(merged.teamsMeetings),
                    due_at = \(due), modified_at = \(now), trigger_count = trigger_count + 1,
                    triggers = CASE WHEN position('; ' || \(trigger) || '; ' IN '; ' || triggers || '; ') > 0 THEN triggers
                                    ELSE triggers || '; ' || \(trigger) END,
                    upn = \(user.userPrincipalName)
                WHERE id = \(id) RETURNING \(unescaped: recordColumns)
                """, logger)
            return .merged(try record(from: rows[0].makeRandomAccess()))
        }
        let running = try await connection.rows(
            """
            SELECT id FROM migrations WHERE tenant = \(tenant) AND user_id = \(userId) AND state = 'inProgress'
            ORDER BY created_at DESC LIMIT 1
            """, logger
        ).first.map { try $0.makeRandomAccess().get(0, String.self) }
        let id = CorrelationID.random().rawValue
        let rows = try await connection.rows(
            """
            INSERT INTO migrations AS m (id, tenant, user_id, upn, state, skype_treatment, teams_meetings, created_at, modified_at,
                due_at, triggers, follow_up_of)
            VALUES (\(id), \(tenant), \(userId), \(user.userPrincipalName), 'pending', \(scope.skypeMeetings?.rawValue),
                \(scope.teamsMeetings), \(now), \(now), \(due), \(parameters.trigger), \(running))
            RETURNING \(unescaped: recordColumns)
            """, logger)
        let created = try record(from: rows[0].makeRandomAccess())
        return running == nil ? .queued(created) : .followUp(created)
    }

    public func claimDueMigrations(now: Date, owner: String, leaseDuration: Duration, limit: Int) async throws -> [ClaimedMigration] {
        let expires = now.adding(leaseDuration)
        let candidates = max(1, limit) * 4 + 16
        // One statement: due unfinished rows through the partial index, locked with SKIP LOCKED (a
        // row another server is claiming or writing is passed over, never waited for); pending rows
        // of a user with an in-progress one are filtered in the query, so blocked follow-ups never
        // hide claimable work; one row per user (the in-progress one first: it sorts by its older
        // due time), the oldest `limit` of them; then the claim itself, lease token + 1.
        let rows = try await backend.rows(
            """
            WITH candidates AS (
                SELECT c.id, c.tenant, c.user_id, c.due_at, c.created_at, c.state FROM migrations AS c
                WHERE c.state IN ('pending', 'inProgress') AND c.due_at <= \(now.micros)
                  AND NOT (c.state = 'pending' AND EXISTS (
                      SELECT 1 FROM migrations AS running
                      WHERE running.tenant = c.tenant AND running.user_id = c.user_id AND running.state = 'inProgress'))
                ORDER BY c.due_at, c.created_at LIMIT \(candidates)
                FOR UPDATE OF c SKIP LOCKED),
            one_per_user AS (
                SELECT DISTINCT ON (tenant, user_id) id, due_at, created_at FROM candidates
                ORDER BY tenant, user_id, (state = 'inProgress') DESC, due_at, created_at),
            chosen AS (SELECT id, due_at, created_at FROM one_per_user ORDER BY due_at, created_at LIMIT \(limit))
            UPDATE migrations AS m SET state = 'inProgress', lease_owner = \(owner), lease_token = m.lease_token + 1,
                lease_expires_at = \(expires.micros), due_at = \(expires.micros), modified_at = \(now.micros),
                claim_count = m.claim_count + 1
            FROM chosen WHERE m.id = chosen.id
            RETURNING \(unescaped: Self.recordColumns), m.lease_token, m.claim_count, chosen.due_at, chosen.created_at
            """)
        let n = Self.recordColumnCount
        let claims = try rows.map { row -> (ClaimedMigration, Int64, Int64) in
            let row = row.makeRandomAccess()
            let record = try Self.record(from: row)
            let lease = MigrationLease(correlationId: record.correlationId, owner: owner, token: try row.get(n), expires: expires)
            return (ClaimedMigration(record: record, lease: lease, claimCount: try row.get(n + 1)), try row.get(n + 2), try row.get(n + 3))
        }
        return claims.sorted { ($0.1, $0.2) < ($1.1, $1.2) }.map(\.0)
    }

    /// Locks the migration's row and checks the lease, in the caller's transaction.
    static func checkLease(_ connection: PostgresConnection, _ lease: MigrationLease, _ logger: Logger) async throws {
        let row = try await connection.rows(
            "SELECT state, lease_token FROM migrations WHERE id = \(lease.correlationId.rawValue) FOR UPDATE", logger
        ).first?.makeRandomAccess()
        guard let row, try row.get(0, String.self) == MigrationState.inProgress.rawValue, try row.get(1, Int64.self) == lease.token else {
            throw MigrationStoreConflict.leaseLost(lease.correlationId)
        }
    }

    public func renewLease(_ lease: MigrationLease, now: Date, duration: Duration) async throws -> MigrationLease {
        let expires = now.adding(duration)
        // One statement: the row is locked by the UPDATE, the token checked in its WHERE.
        let rows = try await backend.rows(
            """
            UPDATE migrations SET lease_expires_at = \(expires.micros), due_at = \(expires.micros)
            WHERE id = \(lease.correlationId.rawValue) AND state = 'inProgress' AND lease_token = \(lease.token) RETURNING id
            """)
        guard !rows.isEmpty else { throw MigrationStoreConflict.leaseLost(lease.correlationId) }
        var renewed = lease
        renewed.expires = expires
        return renewed
    }

    public func meetingOutcomes(_ correlationId: CorrelationID) async throws -> [MeetingOutcomeRecord] {
        try await backend.rows(
            """
            SELECT meeting, subject, outcome, reason, recorded_at FROM meeting_outcomes WHERE migration_id = \(correlationId.rawValue)
            ORDER BY recorded_at, meeting
            """
        ).map { row in
            let row = row.makeRandomAccess()
            return MeetingOutcomeRecord(
                correlationId: correlationId, meeting: MeetingID(try row.get(0, String.self)), subject: try row.get(1),
                outcome: MeetingOutcome(rawValue: try row.get(2)) ?? .failed, reason: try row.get(3), recorded: Date(micros: try row.get(4)))
        }
    }

    public func recordMeetingOutcome(
        _ outcome: MeetingOutcomeRecord, rewrite: MeetingRewrite?, invitation: OutgoingInvitation?, lease: MigrationLease
    ) async throws {
        let conflicts = try await recordMeetingOutcomes(
            [MeetingOutcomeWrite(outcome: outcome, rewrite: rewrite, invitation: invitation)], lease: lease)
        if let changed = conflicts.first { throw MigrationStoreConflict.meetingChanged(changed) }
    }

    public func recordMeetingOutcomes(_ writes: [MeetingOutcomeWrite], lease: MigrationLease) async throws -> [MeetingID] {
        try await recordMeetingOutcomes(writes, lease: lease, then: nil)
    }

    public func recordMeetingOutcomes(_ writes: [MeetingOutcomeWrite], lease: MigrationLease, finish: MigrationFinish) async throws -> [MeetingID] {
        try await recordMeetingOutcomes(writes, lease: lease, then: finish)
    }

    private func recordMeetingOutcomes(_ writes: [MeetingOutcomeWrite], lease: MigrationLease, then finish: MigrationFinish?) async throws -> [MeetingID] {
        let logger = self.logger
        return try await write { connection in
            try await Self.checkLease(connection, lease, logger)
            var conflicts: [MeetingID] = []
            var counters = CounterDelta()
            for var item in writes {
                let outcome = item.outcome
                let previous = try await connection.rows(
                    "SELECT outcome FROM meeting_outcomes WHERE migration_id = \(outcome.correlationId.rawValue) AND meeting = \(outcome.meeting.rawValue)",
                    logger
                ).first.map { try $0.makeRandomAccess().get(0, String.self) }
                if let previous, previous != MeetingOutcome.failed.rawValue { continue }  // already done: idempotent

                if let rewrite = item.rewrite {
                    // The version check and the write are one statement: an UPDATE … WHERE version = expected.
                    var rewritten = rewrite.rewritten
                    rewritten.version = rewrite.expectedVersion + 1
                    item.rewrite?.rewritten = rewritten
                    let body = ByteBuffer(bytes: Array(rewritten.body.utf8))
                    let data = ByteBuffer(data: StoredForm.encode(rewritten))
                    let lastStart = rewritten.recurrence != nil ? rewritten.lastOccurrenceStart?.micros : nil
                    let updated = try await connection.rows(
                        """
                        UPDATE meetings SET organizer = \(rewritten.organizer.rawValue), start_at = \(rewritten.start.micros),
                            version = \(rewritten.version), body = \(body), data = \(data), recurring = \(rewritten.recurrence != nil),
                            last_start_at = \(lastStart)
                        WHERE id = \(rewritten.id.rawValue) AND version = \(rewrite.expectedVersion) RETURNING id
                        """, logger)
                    guard !updated.isEmpty else {
                        conflicts.append(rewritten.id)
                        continue
                    }
                }
                if let online = item.onlineMeeting { try await Self.save(connection, online, logger) }
                var invitesAdded = 0
                if let invitation = item.invitation { invitesAdded = try await Self.insertInvitation(connection, invitation, logger) }
                try await connection.run(
                    """
                    INSERT INTO meeting_outcomes (migration_id, meeting, subject, outcome, reason, recorded_at)
                    VALUES (\(outcome.correlationId.rawValue), \(outcome.meeting.rawValue), \(outcome.subject), \(outcome.outcome.rawValue),
                        \(outcome.reason), \(outcome.recorded.micros))
                    ON CONFLICT (migration_id, meeting) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason,
                        recorded_at = excluded.recorded_at, subject = excluded.subject
                    """, logger)
                counters.add(replacingFailed: previous != nil, with: outcome.outcome, invites: invitesAdded, now: outcome.recorded)
            }
            if let latest = counters.latest {
                try await connection.run(
                    """
                    UPDATE migrations SET total = total + \(counters.newMeetings), succeeded = succeeded + \(counters.migrated),
                        failed = failed + \(counters.failed - counters.replacedFailed), skipped = skipped + \(counters.skipped),
                        invites = invites + \(counters.invites), modified_at = \(latest.micros)
                    WHERE id = \(lease.correlationId.rawValue)
                    """, logger)
            }
            if let finish, conflicts.isEmpty { try await Self.finish(connection, lease, finish, logger) }
            return conflicts
        }
    }

    /// Queues an invitation; 1 when it was new, 0 when the migration already queued one for the meeting.
    static func insertInvitation(_ connection: PostgresConnection, _ invitation: OutgoingInvitation, _ logger: Logger) async throws -> Int {
        let body = ByteBuffer(bytes: Array(invitation.body.utf8))
        let data = ByteBuffer(data: StoredForm.encode(invitation))
        return try await connection.rows(
            """
            INSERT INTO outbox (id, migration_id, meeting, created_at, sent_at, body, data)
            VALUES (\(invitation.id), \(invitation.correlationId.rawValue), \(invitation.meeting.rawValue), \(invitation.created.micros),
                NULL, \(body), \(data))
            ON CONFLICT DO NOTHING RETURNING id
            """, logger
        ).count
    }

    static func finish(_ connection: PostgresConnection, _ lease: MigrationLease, _ finish: MigrationFinish, _ logger: Logger) async throws {
        try await connection.run(
            """
            UPDATE migrations SET state = \(finish.state.rawValue), last_message = \(finish.message), modified_at = \(finish.now.micros),
                lease_owner = NULL, lease_expires_at = NULL WHERE id = \(lease.correlationId.rawValue)
            """, logger)
    }

    public func finishMigration(_ lease: MigrationLease, state: MigrationState, message: String, now: Date) async throws {
        precondition(state.isFinished, "finishMigration needs a final state")
        let logger = self.logger
        try await write { connection in
            try await Self.checkLease(connection, lease, logger)
            try await Self.finish(connection, lease, MigrationFinish(state: state, message: message, now: now), logger)
        }
    }

    public func rescheduleMigration(_ lease: MigrationLease, retryAt: Date, message: String, now: Date) async throws {
        let logger = self.logger
        try await write { connection in
            try await Self.checkLease(connection, lease, logger)
            try await connection.run(
                """
                UPDATE migrations SET retry_count = retry_count + 1, last_message = \(message), due_at = \(retryAt.micros),
                    modified_at = \(now.micros), lease_owner = NULL, lease_expires_at = NULL
                WHERE id = \(lease.correlationId.rawValue)
                """, logger)
        }
    }

    public func nextDueDate() async throws -> Date? {
        try await backend.rows("SELECT min(due_at) FROM migrations WHERE state IN ('pending', 'inProgress')").first
            .flatMap { try $0.makeRandomAccess().get(0, Int64?.self) }.map(Date.init(micros:))
    }
}

/// How a migration's counters move for the outcomes recorded in one transaction.
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
}
