import Foundation
import GRDB
import MMSStoredForms

/// The versioned schema. Never edit a registered migration: add the next one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: directory, calendar, queue, outbox") { db in
            try db.execute(sql: """
                CREATE TABLE tenant_settings (
                    tenant TEXT PRIMARY KEY NOT NULL,
                    data BLOB NOT NULL);

                CREATE TABLE users (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant TEXT NOT NULL,
                    upn_key TEXT NOT NULL,
                    bridge TEXT,
                    conference_id TEXT,
                    data BLOB NOT NULL);
                CREATE UNIQUE INDEX users_by_principal_name ON users(tenant, upn_key);
                CREATE INDEX users_by_bridge ON users(tenant, bridge);
                CREATE UNIQUE INDEX users_conference_id_unique_on_bridge ON users(tenant, bridge, conference_id)
                    WHERE bridge IS NOT NULL AND conference_id IS NOT NULL;

                CREATE TABLE bridges (
                    tenant TEXT NOT NULL,
                    id TEXT NOT NULL,
                    data BLOB NOT NULL,
                    PRIMARY KEY (tenant, id)) WITHOUT ROWID;

                CREATE TABLE meetings (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant TEXT NOT NULL,
                    organizer TEXT NOT NULL,
                    start_at INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    data BLOB NOT NULL);
                CREATE INDEX meetings_by_organizer ON meetings(tenant, organizer, start_at);

                CREATE TABLE online_meetings (
                    join_url TEXT PRIMARY KEY NOT NULL,
                    tenant TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    calendar_meeting TEXT NOT NULL,
                    organizer TEXT NOT NULL,
                    data BLOB NOT NULL);
                CREATE INDEX online_meetings_by_calendar_meeting ON online_meetings(calendar_meeting, kind);
                CREATE INDEX online_meetings_by_organizer ON online_meetings(tenant, organizer);

                CREATE TABLE migrations (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    upn TEXT NOT NULL,
                    state TEXT NOT NULL,
                    skype_treatment TEXT,
                    teams_meetings INTEGER NOT NULL,
                    retry_count INTEGER NOT NULL DEFAULT 0,
                    last_message TEXT NOT NULL DEFAULT '',
                    created_at INTEGER NOT NULL,
                    modified_at INTEGER NOT NULL,
                    due_at INTEGER NOT NULL,
                    lease_owner TEXT,
                    lease_token INTEGER NOT NULL DEFAULT 0,
                    lease_expires_at INTEGER,
                    total INTEGER NOT NULL DEFAULT 0,
                    succeeded INTEGER NOT NULL DEFAULT 0,
                    failed INTEGER NOT NULL DEFAULT 0,
                    skipped INTEGER NOT NULL DEFAULT 0,
                    invites INTEGER NOT NULL DEFAULT 0,
                    trigger_count INTEGER NOT NULL DEFAULT 1,
                    triggers TEXT NOT NULL,
                    follow_up_of TEXT);
                -- At most one pending migration per user: later triggers merge into it (M1).
                CREATE UNIQUE INDEX migrations_one_pending_per_user ON migrations(tenant, user_id) WHERE state = 'pending';
                -- The claim and the workers' sleep read only unfinished rows, by due time.
                CREATE INDEX migrations_unfinished_by_due ON migrations(due_at) WHERE state IN ('pending', 'inProgress');
                CREATE INDEX migrations_by_user ON migrations(tenant, user_id, modified_at);
                CREATE INDEX migrations_by_modified ON migrations(tenant, modified_at);
                CREATE INDEX migrations_by_created ON migrations(created_at);

                CREATE TABLE meeting_outcomes (
                    migration_id TEXT NOT NULL,
                    meeting TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    recorded_at INTEGER NOT NULL,
                    PRIMARY KEY (migration_id, meeting)) WITHOUT ROWID;

                CREATE TABLE outbox (
                    id TEXT PRIMARY KEY NOT NULL,
                    migration_id TEXT NOT NULL,
                    meeting TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    sent_at INTEGER,
                    body BLOB NOT NULL,
                    data BLOB NOT NULL);
                -- One invitation per meeting per migration, whatever retries and crashes do.
                CREATE UNIQUE INDEX outbox_one_per_meeting ON outbox(migration_id, meeting);
                CREATE INDEX outbox_unsent ON outbox(created_at) WHERE sent_at IS NULL;
                CREATE INDEX outbox_by_meeting ON outbox(meeting);

                CREATE TABLE deliveries (
                    id TEXT PRIMARY KEY NOT NULL,
                    meeting TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    delivered_at INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    data BLOB NOT NULL);
                CREATE INDEX deliveries_by_meeting ON deliveries(meeting);
                """)
        }
        migrator.registerMigration("v2: online meetings found by meeting identity") { db in
            // M4 compares meetings, not spellings: the same meeting's URL may be written with
            // another case, query or escape in an invitation (InvitationBlock.meetingIdentity).
            try db.execute(sql: "ALTER TABLE online_meetings ADD COLUMN identity TEXT")
            let rows = try Row.fetchAll(db, sql: "SELECT join_url FROM online_meetings")
            for row in rows {
                let url: String = row["join_url"]
                try db.execute(
                    sql: "UPDATE online_meetings SET identity = ? WHERE join_url = ?",
                    arguments: [SQLiteMigrationStore.identity(ofJoinURL: url), url])
            }
            try db.execute(sql: "CREATE INDEX online_meetings_by_identity ON online_meetings(identity)")
        }
        migrator.registerMigration("v3: claims counted per migration") { db in
            // A migration whose worker dies at every attempt must end, not loop: see MigrationEngine.
            try db.execute(sql: "ALTER TABLE migrations ADD COLUMN claim_count INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v4: recurring meetings") { db in
            // A recurring meeting is found by its last occurrence (NULL: the series has no end),
            // a single one by its start (R2; CalendarMeeting.nextOccurrence decides exactly).
            try db.execute(sql: "ALTER TABLE meetings ADD COLUMN recurring INTEGER NOT NULL DEFAULT 0")
            try db.execute(sql: "ALTER TABLE meetings ADD COLUMN last_start_at INTEGER")
        }
        migrator.registerMigration("v5: mail settings, per-recipient outcomes, outbox backoff") { db in
            // Issue 10. The SMTP password is not here: it is a file of its own (R6).
            try db.execute(sql: """
                CREATE TABLE mail_settings (
                    tenant TEXT PRIMARY KEY NOT NULL,
                    data BLOB NOT NULL,
                    modified_at INTEGER NOT NULL);

                -- At most once per recipient and message: the key the SMTP sender checks before RCPT TO.
                CREATE TABLE recipient_outcomes (
                    message_id TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    invitation_id TEXT NOT NULL,
                    state TEXT NOT NULL,
                    reply TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    recorded_at INTEGER NOT NULL,
                    PRIMARY KEY (message_id, recipient)) WITHOUT ROWID;
                CREATE INDEX recipient_outcomes_by_invitation ON recipient_outcomes(invitation_id);

                ALTER TABLE outbox ADD COLUMN not_before INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v6: refused recipients counted per migration") { db in
            // Issue 10: each recipient a mail server refused for good is counted in the record (R5).
            try db.execute(sql: "ALTER TABLE migrations ADD COLUMN refused_recipients INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v7: binary stored forms") { db in
            // Issue 11: users, meetings, online meetings, invitations and deliveries move from JSON
            // to the binary forms of StoredForm, converted row by row, a page at a time. Every
            // value is decoded from its JSON and re-encoded; a row that cannot be read stops the
            // migration (the transaction rolls back and the file is left as it was).
            try Schema.convert(db, table: "users", what: "user") { data, _ in StoredForm.encode(try StoredForm.user(data)) }
            try Schema.convert(db, table: "meetings", what: "meeting") { data, body in
                StoredForm.encode(try StoredForm.meeting(data, body: body))
            }
            try Schema.convert(db, table: "online_meetings", what: "online meeting") { data, _ in
                StoredForm.encode(try StoredForm.onlineMeeting(data))
            }
            try Schema.convert(db, table: "outbox", what: "invitation") { data, body in
                StoredForm.encode(try StoredForm.invitation(data, body: body))
            }
            try Schema.convert(db, table: "deliveries", what: "delivered invitation") { data, body in
                StoredForm.encode(try StoredForm.invitation(data, body: body))
            }
        }
        migrator.registerMigration("v8: the audit trail") { db in
            // Issue 13 (R8).
            try db.execute(sql: AuditSQL.createTable)
        }
        return migrator
    }

    /// Rewrites every JSON `data` value of `table` (a rowid table) with `convert`, a page at a time.
    static func convert(_ db: Database, table: String, what: String, _ convert: (Data, String) throws -> Data) throws {
        let hasBody = table != "users" && table != "online_meetings"
        var last: Int64 = 0
        while true {
            let rows = try Row.fetchAll(
                db, sql: "SELECT rowid, data\(hasBody ? ", body" : "") FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT 500",
                arguments: [last])
            guard let final = rows.last else { return }
            for row in rows {
                let data: Data = row["data"]
                guard StoredForm.isJSON(data) else { continue }
                let body = hasBody ? String(utf8Data: row["body"]) : ""
                let converted: Data
                do {
                    converted = try convert(data, body)
                } catch {
                    throw DatabaseError(message: "schema v7: the \(what) in row \(row["rowid"] as Int64) of \(table) cannot be read: \(error)")
                }
                try db.execute(sql: "UPDATE \(table) SET data = ? WHERE rowid = ?", arguments: [converted, row["rowid"] as Int64])
            }
            last = final["rowid"]
        }
    }
}
