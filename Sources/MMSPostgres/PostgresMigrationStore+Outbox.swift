import Foundation
import Logging
import MMSCore
import MMSStoredForms
import NIOCore
import NIOFoundationCompat
import PostgresNIO

// The outbox, status, pruning, mail delivery and the audit trail.
extension PostgresMigrationStore {
    static func invitation(from row: PostgresRow) throws -> OutgoingInvitation {
        let row = row.makeRandomAccess()
        var invitation = try StoredForm.invitation(try row.get(1), body: String(utf8Data: try row.get(0, Data.self)))
        invitation.sent = try row.get(2, Int64?.self).map(Date.init(micros:))
        return invitation
    }

    public func unsentInvitations(limit: Int) async throws -> [OutgoingInvitation] {
        try await backend.rows("SELECT body, data, sent_at FROM outbox WHERE sent_at IS NULL ORDER BY created_at, id LIMIT \(limit)")
            .map(Self.invitation(from:))
    }

    public func markInvitationSent(_ id: String, now: Date) async throws {
        try await backend.rows("UPDATE outbox SET sent_at = \(now.micros) WHERE id = \(id) AND sent_at IS NULL")
    }

    public func invitations(forMeeting meeting: MeetingID) async throws -> [OutgoingInvitation] {
        try await backend.rows("SELECT body, data, sent_at FROM outbox WHERE meeting = \(meeting.rawValue) ORDER BY created_at, id")
            .map(Self.invitation(from:))
    }

    public func recordDelivery(_ invitation: OutgoingInvitation, now: Date) async throws -> Bool {
        let logger = self.logger
        return try await write { connection in try await Self.insertDelivery(connection, invitation, now: now, logger) }
    }

    /// Records a first delivery, or counts one more attempt of an earlier one; true when new.
    static func insertDelivery(_ connection: PostgresConnection, _ invitation: OutgoingInvitation, now: Date, _ logger: Logger) async throws -> Bool {
        let body = ByteBuffer(bytes: Array(invitation.body.utf8))
        let data = ByteBuffer(data: StoredForm.encode(invitation))
        let rows = try await connection.rows(
            """
            INSERT INTO deliveries (id, meeting, attempts, delivered_at, body, data)
            VALUES (\(invitation.id), \(invitation.meeting.rawValue), 1, \(now.micros), \(body), \(data))
            ON CONFLICT (id) DO UPDATE SET attempts = deliveries.attempts + 1 RETURNING attempts
            """, logger)
        return try rows.first?.makeRandomAccess().get(0, Int64.self) == 1
    }

    public func recordDeliveriesAndMarkSent(_ invitations: [OutgoingInvitation], now: Date) async throws {
        guard !invitations.isEmpty else { return }
        let logger = self.logger
        try await write { connection in
            for invitation in invitations {
                // The outbox row already holds the invitation's encoding and body: copy them.
                let copied = try await connection.rows(
                    """
                    INSERT INTO deliveries (id, meeting, attempts, delivered_at, body, data)
                        SELECT id, meeting, 1, \(now.micros), body, data FROM outbox WHERE id = \(invitation.id)
                    ON CONFLICT (id) DO UPDATE SET attempts = deliveries.attempts + 1 RETURNING id
                    """, logger)
                if copied.isEmpty { _ = try await Self.insertDelivery(connection, invitation, now: now, logger) }
                try await connection.run("UPDATE outbox SET sent_at = \(now.micros) WHERE id = \(invitation.id) AND sent_at IS NULL", logger)
            }
        }
    }

    public func deliveries(forMeeting meeting: MeetingID) async throws -> [(invitation: OutgoingInvitation, attempts: Int)] {
        try await backend.rows(
            "SELECT body, data, delivered_at, attempts FROM deliveries WHERE meeting = \(meeting.rawValue) ORDER BY delivered_at, id"
        ).map { (invitation: try Self.invitation(from: $0), attempts: try $0.makeRandomAccess().get(3, Int.self)) }
    }

    // MARK: Mail delivery

    public func mailSettings(_ tenant: TenantID) async throws -> MailSettings? {
        try await backend.rows("SELECT data FROM mail_settings WHERE tenant = \(tenant.rawValue)").first.map {
            try JSON.decode(MailSettings.self, from: try $0.makeRandomAccess().get(0, Data.self))
        }
    }

    public func saveMailSettings(_ tenant: TenantID, _ settings: MailSettings?) async throws {
        let data = try settings.map { ByteBuffer(data: try JSON.encode($0)) }
        let logger = self.logger
        try await write { connection in
            if let data {
                try await connection.run(
                    """
                    INSERT INTO mail_settings (tenant, data, modified_at) VALUES (\(tenant.rawValue), \(data), \(Date().micros))
                    ON CONFLICT (tenant) DO UPDATE SET data = excluded.data, modified_at = excluded.modified_at
                    """, logger)
            } else {
                try await connection.run("DELETE FROM mail_settings WHERE tenant = \(tenant.rawValue)", logger)
            }
        }
    }

    static func recipientOutcome(from row: PostgresRow) throws -> RecipientOutcome {
        let row = row.makeRandomAccess()
        return RecipientOutcome(
            invitationId: try row.get(0), messageId: try row.get(1), recipient: try row.get(2),
            state: RecipientOutcomeState(rawValue: try row.get(3)) ?? .deferred, reply: try row.get(4), attempts: try row.get(5),
            recorded: Date(micros: try row.get(6)))
    }

    public func recipientOutcomes(messageId: String) async throws -> [RecipientOutcome] {
        try await backend.rows(
            """
            SELECT invitation_id, message_id, recipient, state, reply, attempts, recorded_at FROM recipient_outcomes
            WHERE message_id = \(messageId) ORDER BY recorded_at, recipient
            """
        ).map(Self.recipientOutcome(from:))
    }

    public func recipientOutcomes(invitationId: String) async throws -> [RecipientOutcome] {
        try await backend.rows(
            """
            SELECT invitation_id, message_id, recipient, state, reply, attempts, recorded_at FROM recipient_outcomes
            WHERE invitation_id = \(invitationId) ORDER BY recorded_at, recipient
            """
        ).map(Self.recipientOutcome(from:))
    }

    public func recordRecipientOutcomes(_ outcomes: [RecipientOutcome]) async throws {
        guard !outcomes.isEmpty else { return }
        let logger = self.logger
        try await write { connection in
            for outcome in outcomes {
                // A final outcome (delivered, failed) is never replaced: a resend never reaches a recipient twice.
                try await connection.run(
                    """
                    INSERT INTO recipient_outcomes (message_id, recipient, invitation_id, state, reply, attempts, recorded_at)
                    VALUES (\(outcome.messageId), \(MailAddress.key(outcome.recipient)), \(outcome.invitationId), \(outcome.state.rawValue),
                        \(outcome.reply), \(outcome.attempts), \(outcome.recorded.micros))
                    ON CONFLICT (message_id, recipient) DO UPDATE SET state = excluded.state, reply = excluded.reply,
                        attempts = excluded.attempts, recorded_at = excluded.recorded_at
                    WHERE recipient_outcomes.state = 'deferred'
                    """, logger)
            }
        }
    }

    public func deferInvitation(_ id: String, until: Date) async throws {
        try await backend.rows("UPDATE outbox SET not_before = \(until.micros) WHERE id = \(id) AND sent_at IS NULL")
    }

    /// The due invitations, **claimed**: one statement locks them (`SKIP LOCKED`) and moves their
    /// `not_before` to `now + outboxClaim`, so no other server's dispatcher takes them while this
    /// one sends them. Sent, they are marked; deferred, `deferInvitation` sets their time; a server
    /// killed meanwhile leaves them to another after the claim.
    public func dueInvitations(limit: Int, now: Date) async throws -> [OutgoingInvitation] {
        let claimedUntil = now.adding(outboxClaim).micros
        return try await backend.rows(
            """
            WITH due AS (
                SELECT id FROM outbox WHERE sent_at IS NULL AND not_before <= \(now.micros)
                ORDER BY created_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            UPDATE outbox AS o SET not_before = \(claimedUntil) FROM due WHERE o.id = due.id
            RETURNING o.body, o.data, o.sent_at, o.created_at
            """
        ).sorted { (try? $0.makeRandomAccess().get(3, Int64.self)) ?? 0 < (try? $1.makeRandomAccess().get(3, Int64.self)) ?? 0 }
            .map(Self.invitation(from:))
    }

    public func appendMigrationNote(_ correlationId: CorrelationID, note: String, refusedRecipients: Int, now: Date) async throws {
        try await backend.rows(
            """
            UPDATE migrations SET last_message = CASE WHEN last_message = '' THEN \(note) ELSE last_message || '; ' || \(note) END,
                refused_recipients = refused_recipients + \(refusedRecipients), modified_at = \(now.micros)
            WHERE id = \(correlationId.rawValue)
            """)
    }

    // MARK: Status (S1) and pruning (S2)

    /// The WHERE clause of a status query and its bindings: only placeholders, never values, in the SQL.
    static func conditions(_ tenant: TenantID, _ filter: StatusFilter, _ bindings: inout PostgresBindings) -> String {
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        var conditions = ["m.tenant = \(bind(tenant.rawValue))"]
        if let userId = filter.userId { conditions.append("m.user_id = \(bind(userId.rawValue))") }
        if let principalName = filter.principalName {
            conditions.append("m.user_id = (SELECT id FROM users WHERE tenant = \(bind(tenant.rawValue)) AND upn_key = \(bind(principalName.lowercased())))")
        }
        if let start = filter.start { conditions.append("m.modified_at >= \(bind(start.micros))") }
        if let end = filter.end { conditions.append("m.modified_at <= \(bind(end.micros))") }
        if let state = filter.state { conditions.append("m.state = \(bind(state.rawValue))") }
        return conditions.joined(separator: " AND ")
    }

    func requireUser(_ tenant: TenantID, _ filter: StatusFilter) async throws {
        guard let principalName = filter.principalName else { return }
        let known = try await backend.rows(
            "SELECT 1 FROM users WHERE tenant = \(tenant.rawValue) AND upn_key = \(principalName.lowercased())")
        if known.isEmpty { throw MigrationEngineError.unknownUser(principalName, tenant: tenant) }
    }

    public func migrationStatus(_ correlationId: CorrelationID) async throws -> MigrationStatusRecord? {
        try await backend.rows("SELECT \(unescaped: Self.recordColumns) FROM migrations AS m WHERE m.id = \(correlationId.rawValue)")
            .first.map { try Self.record(from: $0.makeRandomAccess()) }
    }

    public func migrationStatus(_ tenant: TenantID, filter: StatusFilter) async throws -> [MigrationStatusRecord] {
        var bindings = PostgresBindings()
        let conditions = Self.conditions(tenant, filter, &bindings)
        bindings.append(filter.limit)
        let query = PostgresQuery(
            unsafeSQL: "SELECT \(Self.recordColumns) FROM migrations AS m WHERE \(conditions) ORDER BY m.modified_at DESC, m.created_at DESC LIMIT $\(bindings.count)",
            binds: bindings)
        let records = try await backend.rows(query).map { try Self.record(from: $0.makeRandomAccess()) }
        if records.isEmpty { try await requireUser(tenant, filter) }
        return records
    }

    public func migrationSummary(_ tenant: TenantID, filter: StatusFilter) async throws -> [MigrationState: Int] {
        var bindings = PostgresBindings()
        let conditions = Self.conditions(tenant, filter, &bindings)
        let query = PostgresQuery(
            unsafeSQL: "SELECT m.state, count(DISTINCT m.user_id) FROM migrations AS m WHERE \(conditions) GROUP BY m.state", binds: bindings)
        var summary: [MigrationState: Int] = [:]
        for row in try await backend.rows(query) {
            let row = row.makeRandomAccess()
            if let state = MigrationState(rawValue: try row.get(0)) { summary[state] = try row.get(1) }
        }
        if summary.isEmpty { try await requireUser(tenant, filter) }
        return summary
    }

    /// Deletes finished migrations created before `cutoff` (S2), on one server at a time: the others
    /// find the advisory lock taken and return 0 (the holder deletes for them all).
    public func pruneMigrations(createdBefore cutoff: Date) async throws -> Int {
        let logger = self.logger
        return try await backend.transaction { connection in
            let locked = try await connection.rows("SELECT pg_try_advisory_xact_lock(\(AdvisoryLock.prune))", logger)
            guard try locked.first?.makeRandomAccess().get(0, Bool.self) == true else { return 0 }
            let ids = try await connection.rows(
                "DELETE FROM migrations WHERE created_at < \(cutoff.micros) AND state IN ('succeeded', 'failed') RETURNING id", logger
            ).map { try $0.makeRandomAccess().get(0, String.self) }
            guard !ids.isEmpty else { return 0 }
            try await connection.run("DELETE FROM meeting_outcomes WHERE migration_id = ANY(\(ids))", logger)
            try await connection.run("DELETE FROM outbox WHERE migration_id = ANY(\(ids)) AND sent_at IS NOT NULL", logger)
            return ids.count
        }
    }

    // MARK: Metrics

    /// How many migrations are in each state, across tenants.
    public func migrationCountsByState() async throws -> [MigrationState: Int] {
        var counts: [MigrationState: Int] = [:]
        for row in try await backend.rows("SELECT state, count(*) FROM migrations GROUP BY state") {
            let row = row.makeRandomAccess()
            if let state = MigrationState(rawValue: try row.get(0)) { counts[state] = try row.get(1) }
        }
        return counts
    }

    /// How many invitations wait in the outbox, unsent (deferred ones included).
    public func outboxBacklog() async throws -> Int {
        try await backend.rows("SELECT count(*) FROM outbox WHERE sent_at IS NULL").first?.makeRandomAccess().get(0) ?? 0
    }

    // MARK: Audit trail (R8)

    public func recordAudit(_ record: AuditRecord) async throws {
        let logger = self.logger
        try await backend.transaction { try await PostgresAudit.upsert($0, place: .engine, record, correlationIDs: [], logger) }
    }

    public func auditRecords(_ query: AuditQuery) async throws -> [AuditRecord] {
        try await PostgresAudit.select(backend, place: .engine, query)
    }

    public func pruneAudit(before cutoff: Date) async throws -> Int {
        try await PostgresAudit.prune(backend, place: .engine, before: cutoff)
    }
}
