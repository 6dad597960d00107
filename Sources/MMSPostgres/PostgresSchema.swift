import Foundation
import Logging
import PostgresNIO

/// The versioned schema of the PostgreSQL backend (issue 12). Each version is a list of
/// statements run in one transaction with its row in `schema_versions`; the whole upgrade runs
/// under a transaction-level advisory lock, so a second server starting at the same moment waits
/// and then finds the schema up to date. Never edit a registered version: add the next one.
///
/// The tables are those of the SQLite file at its schema v8, in PostgreSQL's types: times are
/// `bigint` microseconds since 1970 (as in SQLite), bodies and the binary stored forms `bytea`
/// (their exact bytes, M8), counters `bigint`.
public enum PostgresSchema {
    /// A version: its number, its name, its statements.
    struct Version {
        var number: Int
        var name: String
        var statements: [PostgresQuery]
    }

    /// A database whose schema is newer than this binary: refused, never downgraded or guessed at.
    public struct TooNew: Error, CustomStringConvertible {
        public var database: Int
        public var binary: Int
        public var description: String {
            "the database's schema is at version \(database), newer than this mms-server's \(binary): run a newer mms-server (nothing was changed)"
        }
    }

    /// The newest version this binary knows.
    public static var latest: Int { versions.last!.number }

    static let versions: [Version] = [
        Version(number: 1, name: "directory, calendar, queue, outbox, mail, access", statements: [
            "CREATE TABLE tenant_settings (tenant text PRIMARY KEY, data bytea NOT NULL)",
            """
            CREATE TABLE users (
                id text PRIMARY KEY, tenant text NOT NULL, upn_key text NOT NULL, bridge text, conference_id text,
                data bytea NOT NULL)
            """,
            "CREATE UNIQUE INDEX users_by_principal_name ON users (tenant, upn_key)",
            "CREATE INDEX users_by_bridge ON users (tenant, bridge)",
            """
            CREATE UNIQUE INDEX users_conference_id_unique_on_bridge ON users (tenant, bridge, conference_id)
                WHERE bridge IS NOT NULL AND conference_id IS NOT NULL
            """,
            "CREATE TABLE bridges (tenant text NOT NULL, id text NOT NULL, data bytea NOT NULL, PRIMARY KEY (tenant, id))",
            """
            CREATE TABLE meetings (
                id text PRIMARY KEY, tenant text NOT NULL, organizer text NOT NULL, start_at bigint NOT NULL,
                version bigint NOT NULL, body bytea NOT NULL, data bytea NOT NULL,
                recurring boolean NOT NULL DEFAULT false, last_start_at bigint)
            """,
            "CREATE INDEX meetings_by_organizer ON meetings (tenant, organizer, start_at)",
            """
            CREATE TABLE online_meetings (
                join_url text PRIMARY KEY, tenant text NOT NULL, kind text NOT NULL, calendar_meeting text NOT NULL,
                organizer text NOT NULL, identity text NOT NULL, data bytea NOT NULL)
            """,
            "CREATE INDEX online_meetings_by_calendar_meeting ON online_meetings (calendar_meeting, kind)",
            "CREATE INDEX online_meetings_by_organizer ON online_meetings (tenant, organizer)",
            "CREATE INDEX online_meetings_by_identity ON online_meetings (identity)",
            """
            CREATE TABLE migrations (
                id text PRIMARY KEY, tenant text NOT NULL, user_id text NOT NULL, upn text NOT NULL, state text NOT NULL,
                skype_treatment text, teams_meetings boolean NOT NULL, retry_count bigint NOT NULL DEFAULT 0,
                last_message text NOT NULL DEFAULT '', created_at bigint NOT NULL, modified_at bigint NOT NULL,
                due_at bigint NOT NULL, lease_owner text, lease_token bigint NOT NULL DEFAULT 0, lease_expires_at bigint,
                total bigint NOT NULL DEFAULT 0, succeeded bigint NOT NULL DEFAULT 0, failed bigint NOT NULL DEFAULT 0,
                skipped bigint NOT NULL DEFAULT 0, invites bigint NOT NULL DEFAULT 0, trigger_count bigint NOT NULL DEFAULT 1,
                triggers text NOT NULL, follow_up_of text, claim_count bigint NOT NULL DEFAULT 0,
                refused_recipients bigint NOT NULL DEFAULT 0)
            """,
            // At most one pending migration per user: later triggers merge into it (M1).
            "CREATE UNIQUE INDEX migrations_one_pending_per_user ON migrations (tenant, user_id) WHERE state = 'pending'",
            // The claim and the workers' sleep read only unfinished rows, by due time.
            "CREATE INDEX migrations_unfinished_by_due ON migrations (due_at, created_at) WHERE state IN ('pending', 'inProgress')",
            "CREATE INDEX migrations_by_user ON migrations (tenant, user_id, modified_at)",
            "CREATE INDEX migrations_by_modified ON migrations (tenant, modified_at)",
            "CREATE INDEX migrations_by_created ON migrations (created_at)",
            """
            CREATE TABLE meeting_outcomes (
                migration_id text NOT NULL, meeting text NOT NULL, subject text NOT NULL, outcome text NOT NULL,
                reason text NOT NULL, recorded_at bigint NOT NULL, PRIMARY KEY (migration_id, meeting))
            """,
            """
            CREATE TABLE outbox (
                id text PRIMARY KEY, migration_id text NOT NULL, meeting text NOT NULL, created_at bigint NOT NULL,
                sent_at bigint, body bytea NOT NULL, data bytea NOT NULL, not_before bigint NOT NULL DEFAULT 0)
            """,
            // One invitation per meeting per migration, whatever retries and crashes do.
            "CREATE UNIQUE INDEX outbox_one_per_meeting ON outbox (migration_id, meeting)",
            "CREATE INDEX outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL",
            "CREATE INDEX outbox_by_meeting ON outbox (meeting)",
            """
            CREATE TABLE deliveries (
                id text PRIMARY KEY, meeting text NOT NULL, attempts bigint NOT NULL, delivered_at bigint NOT NULL,
                body bytea NOT NULL, data bytea NOT NULL)
            """,
            "CREATE INDEX deliveries_by_meeting ON deliveries (meeting)",
            "CREATE TABLE mail_settings (tenant text PRIMARY KEY, data bytea NOT NULL, modified_at bigint NOT NULL)",
            """
            CREATE TABLE recipient_outcomes (
                message_id text NOT NULL, recipient text NOT NULL, invitation_id text NOT NULL, state text NOT NULL,
                reply text NOT NULL, attempts bigint NOT NULL, recorded_at bigint NOT NULL, PRIMARY KEY (message_id, recipient))
            """,
            "CREATE INDEX recipient_outcomes_by_invitation ON recipient_outcomes (invitation_id)",
            // The access store's tables (SQLite keeps them in access.sqlite).
            "CREATE TABLE access_tenants (id text PRIMARY KEY, display_name text NOT NULL, created double precision NOT NULL)",
            """
            CREATE TABLE access_tokens (
                id text PRIMARY KEY, tenant text REFERENCES access_tenants (id), role text NOT NULL, description text NOT NULL,
                secret_hash bytea NOT NULL, created double precision NOT NULL, revoked double precision)
            """,
        ]),
        Version(number: 2, name: "the audit trail", statements: [
            // Issue 13 (R8). `place` keeps the two stores' records apart, as SQLite's two files do.
            """
            CREATE TABLE audit_records (
                place text NOT NULL, id text NOT NULL, at bigint NOT NULL, token_id text NOT NULL, role text NOT NULL,
                tenant text, call text NOT NULL, target text NOT NULL, target_key text NOT NULL, outcome text NOT NULL,
                detail text NOT NULL, correlation_ids text NOT NULL DEFAULT '', PRIMARY KEY (place, id))
            """,
            "CREATE INDEX audit_records_by_tenant ON audit_records (place, tenant, at)",
            "CREATE INDEX audit_records_by_role ON audit_records (place, role, at)",
            "CREATE INDEX audit_records_by_time ON audit_records (place, at)",
        ]),
    ]

    /// Applies every version the database lacks, up to `target` (tests stop earlier to build an old schema).
    /// - Throws: ``TooNew`` when the database is at a version this binary does not know.
    static func migrate(_ connection: PostgresConnection, logger: Logger, upTo target: Int = latest) async throws {
        _ = try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.run("SELECT pg_advisory_xact_lock(\(AdvisoryLock.schema))", logger)
            try await connection.run(
                "CREATE TABLE IF NOT EXISTS schema_versions (version bigint PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)",
                logger)
            let applied = Set(try await connection.rows("SELECT version FROM schema_versions", logger).map {
                try $0.makeRandomAccess().get(0, Int.self)
            })
            if let newest = applied.max(), newest > latest { throw TooNew(database: newest, binary: latest) }
            for version in versions where version.number <= target && !applied.contains(version.number) {
                for statement in version.statements { try await connection.run(statement, logger) }
                let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
                try await connection.run(
                    "INSERT INTO schema_versions (version, name, applied_at) VALUES (\(version.number), \(version.name), \(now))", logger)
                logger.notice("PostgreSQL schema upgraded", metadata: ["version": "\(version.number)", "name": "\(version.name)"])
            }
            _ = try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}
