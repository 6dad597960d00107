import Foundation
import GRDB
import MMSCore
import MMSStoredForms

extension SQLiteMigrationStore {
    public func mailSettings(_ tenant: TenantID) async throws -> MailSettings? {
        try await read { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT data FROM mail_settings WHERE tenant = ?", arguments: [tenant.rawValue])
            else { return nil }
            return try JSON.decode(MailSettings.self, from: data)
        }
    }

    public func saveMailSettings(_ tenant: TenantID, _ settings: MailSettings?) async throws {
        let data = try settings.map { try JSON.encode($0) }
        try await write { db in
            if let data {
                try db.execute(
                    sql: """
                        INSERT INTO mail_settings (tenant, data, modified_at) VALUES (?, ?, ?)
                        ON CONFLICT(tenant) DO UPDATE SET data = excluded.data, modified_at = excluded.modified_at
                        """,
                    arguments: [tenant.rawValue, data, Date().micros])
            } else {
                try db.execute(sql: "DELETE FROM mail_settings WHERE tenant = ?", arguments: [tenant.rawValue])
            }
        }
    }

    public func recipientOutcomes(messageId: String) async throws -> [RecipientOutcome] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM recipient_outcomes WHERE message_id = ? ORDER BY recorded_at, recipient", arguments: [messageId]
            ).map(Self.recipientOutcome(from:))
        }
    }

    public func recipientOutcomes(invitationId: String) async throws -> [RecipientOutcome] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM recipient_outcomes WHERE invitation_id = ? ORDER BY recorded_at, recipient",
                arguments: [invitationId]
            ).map(Self.recipientOutcome(from:))
        }
    }

    public func recordRecipientOutcomes(_ outcomes: [RecipientOutcome]) async throws {
        guard !outcomes.isEmpty else { return }
        try await write { db in
            for outcome in outcomes {
                // A final outcome (delivered, failed) is never replaced: that is what keeps a resend
                // from reaching a recipient twice.
                try db.execute(
                    sql: """
                        INSERT INTO recipient_outcomes (message_id, recipient, invitation_id, state, reply, attempts, recorded_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(message_id, recipient) DO UPDATE SET
                            state = excluded.state, reply = excluded.reply, attempts = excluded.attempts,
                            recorded_at = excluded.recorded_at
                        WHERE recipient_outcomes.state = 'deferred'
                        """,
                    arguments: [
                        outcome.messageId, MailAddress.key(outcome.recipient), outcome.invitationId, outcome.state.rawValue,
                        outcome.reply, outcome.attempts, outcome.recorded.micros,
                    ])
            }
        }
    }

    public func deferInvitation(_ id: String, until: Date) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE outbox SET not_before = ? WHERE id = ? AND sent_at IS NULL", arguments: [until.micros, id])
        }
    }

    public func dueInvitations(limit: Int, now: Date) async throws -> [OutgoingInvitation] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT body, data, sent_at FROM outbox INDEXED BY outbox_unsent
                    WHERE sent_at IS NULL AND not_before <= ? ORDER BY created_at LIMIT ?
                    """,
                arguments: [now.micros, limit]
            ).map(Self.invitation(from:))
        }
    }

    public func appendMigrationNote(_ correlationId: CorrelationID, note: String, refusedRecipients: Int, now: Date) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE migrations SET last_message = CASE WHEN last_message = '' THEN ? ELSE last_message || '; ' || ? END,
                        refused_recipients = refused_recipients + ?, modified_at = ?
                    WHERE id = ?
                    """,
                arguments: [note, note, refusedRecipients, now.micros, correlationId.rawValue])
        }
    }

    static func recipientOutcome(from row: Row) -> RecipientOutcome {
        RecipientOutcome(
            invitationId: row["invitation_id"], messageId: row["message_id"], recipient: row["recipient"],
            state: RecipientOutcomeState(rawValue: row["state"]) ?? .deferred, reply: row["reply"], attempts: row["attempts"],
            recorded: Date(micros: row["recorded_at"]))
    }
}
