import Foundation
import MMSCore
import MMSSQLite

/// Real identifiers from a finished run, put into the statements whose plans are read.
struct PlanSample: Sendable, Codable {
    var userId: String
    var principalName: String
    var migration: String
    var meeting: String
    var joinURL: String
    var invitation: String
}

/// The plan SQLite chooses for one statement of the engine's hot path.
struct QueryPlan: Sendable, Codable {
    var name: String
    /// How often the engine runs it: per migration, per meeting, per invitation…
    var frequency: String
    var sql: String
    var detail: [String]
    /// A step that reads a whole table or index (`SCAN …`, other than a constant row).
    var scans: Bool
}

/// The statements the SQLite store runs for every migration, meeting and invitation, copied
/// from `Sources/MMSSQLite` (same text, literal values from the run in place of the `?`s), with
/// the plan `EXPLAIN QUERY PLAN` gives on the benchmark's own file.
enum QueryPlans {
    static func statements(_ s: PlanSample) -> [(name: String, frequency: String, sql: String)] {
        func q(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        let t = q(Backlog.tenant.rawValue), u = q(s.userId), m = q(s.migration), mt = q(s.meeting), inv = q(s.invitation)
        let url = q(s.joinURL), identity = q(InvitationBlock.meetingIdentity(ofJoinURL: s.joinURL) ?? s.joinURL)
        let upn = q(s.principalName.lowercased()), now = "1900000000000000"
        return [
            ("claim: due candidates", "per claim (≥1 per migration)", """
                SELECT * FROM migrations AS m INDEXED BY migrations_unfinished_by_due WHERE state IN ('pending', 'inProgress') \
                AND due_at <= \(now) AND NOT (state = 'pending' AND EXISTS (SELECT 1 FROM migrations AS running \
                WHERE running.tenant = m.tenant AND running.user_id = m.user_id AND running.state = 'inProgress')) \
                ORDER BY due_at, created_at LIMIT 20
                """),
            ("claim: user already running?", "per candidate claimed",
             "SELECT 1 FROM migrations WHERE tenant = \(t) AND user_id = \(u) AND state = 'inProgress' AND id != \(m) LIMIT 1"),
            ("claim: take the lease", "per migration", """
                UPDATE migrations SET state = 'inProgress', lease_owner = 'bench-0', lease_token = 2, lease_expires_at = \(now), \
                due_at = \(now), modified_at = \(now), claim_count = claim_count + 1 WHERE id = \(m)
                """),
            ("record by id", "per migration (claim, enqueue)", "SELECT * FROM migrations WHERE id = \(m)"),
            ("organiser by id", "per migration", "SELECT data FROM users WHERE id = \(u) AND tenant = \(t)"),
            ("organiser's future meetings", "per migration",
             "SELECT body, data FROM meetings WHERE tenant = \(t) AND organizer = \(u) AND start_at >= \(now) ORDER BY start_at, id"),
            ("outcomes of the migration", "2 per migration (resume, conclude)",
             "SELECT * FROM meeting_outcomes WHERE migration_id = \(m) ORDER BY recorded_at, meeting"),
            ("lease check", "per worker write (per meeting)", "SELECT state, lease_token FROM migrations WHERE id = \(m)"),
            ("M4: online meeting by join URL", "per meeting",
             "SELECT data FROM online_meetings WHERE identity = \(identity) ORDER BY join_url = \(url) DESC LIMIT 1"),
            ("organiser's bridge", "per meeting (dial-in)", "SELECT data FROM bridges WHERE tenant = \(t) AND id = \(q(Backlog.bridge.id.rawValue))"),
            ("Teams meeting of this calendar meeting", "per meeting",
             "SELECT data FROM online_meetings WHERE calendar_meeting = \(mt) AND kind = 'teams' AND tenant = \(t)"),
            ("save the Teams meeting", "per meeting", """
                INSERT INTO online_meetings (join_url, tenant, kind, calendar_meeting, organizer, data, identity) \
                VALUES ('x', \(t), 'teams', \(mt), \(u), x'00', 'x') \
                ON CONFLICT(join_url) DO UPDATE SET data = excluded.data, calendar_meeting = excluded.calendar_meeting, \
                organizer = excluded.organizer, kind = excluded.kind, identity = excluded.identity
                """),
            ("outcome already recorded?", "per meeting",
             "SELECT outcome FROM meeting_outcomes WHERE migration_id = \(m) AND meeting = \(mt)"),
            ("meeting version (edited meanwhile?)", "per meeting", "SELECT version FROM meetings WHERE id = \(mt)"),
            ("rewrite the meeting", "per meeting", """
                INSERT INTO meetings (id, tenant, organizer, start_at, version, body, data) VALUES (\(mt), \(t), \(u), 1, 2, x'00', x'00') \
                ON CONFLICT(id) DO UPDATE SET organizer = excluded.organizer, start_at = excluded.start_at, \
                version = excluded.version, body = excluded.body, data = excluded.data
                """),
            ("outbox row", "per meeting", """
                INSERT INTO outbox (id, migration_id, meeting, created_at, sent_at, body, data) \
                VALUES ('x', \(m), \(mt), 1, NULL, x'00', x'00') ON CONFLICT DO NOTHING
                """),
            ("meeting outcome", "per meeting", """
                INSERT INTO meeting_outcomes (migration_id, meeting, subject, outcome, reason, recorded_at) \
                VALUES (\(m), \(mt), 's', 'migrated', 'r', 1) \
                ON CONFLICT(migration_id, meeting) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason, \
                recorded_at = excluded.recorded_at, subject = excluded.subject
                """),
            ("migration counters", "per meeting", """
                UPDATE migrations SET \
                total = (SELECT COUNT(*) FROM meeting_outcomes WHERE migration_id = \(m)), \
                succeeded = (SELECT COUNT(*) FROM meeting_outcomes WHERE migration_id = \(m) AND outcome = 'migrated'), \
                failed = (SELECT COUNT(*) FROM meeting_outcomes WHERE migration_id = \(m) AND outcome = 'failed'), \
                skipped = (SELECT COUNT(*) FROM meeting_outcomes WHERE migration_id = \(m) AND outcome = 'skipped'), \
                invites = (SELECT COUNT(*) FROM outbox WHERE migration_id = \(m)), \
                modified_at = \(now) WHERE id = \(m)
                """),
            ("finish", "per migration", """
                UPDATE migrations SET state = 'succeeded', last_message = '', modified_at = \(now), lease_owner = NULL, \
                lease_expires_at = NULL WHERE id = \(m)
                """),
            ("outbox: unsent", "per dispatch batch (≤100 invitations)",
             "SELECT body, data, sent_at FROM outbox INDEXED BY outbox_unsent WHERE sent_at IS NULL ORDER BY created_at LIMIT 100"),
            ("delivery already recorded?", "per invitation", "SELECT 1 FROM deliveries WHERE id = \(inv)"),
            ("record the delivery", "per invitation", """
                INSERT INTO deliveries (id, meeting, attempts, delivered_at, body, data) VALUES ('x', \(mt), 1, 1, x'00', x'00')
                """),
            ("mark sent", "per invitation", "UPDATE outbox SET sent_at = \(now) WHERE id = \(inv) AND sent_at IS NULL"),
            ("next due date", "per idle worker wake-up",
             "SELECT MIN(due_at) FROM migrations INDEXED BY migrations_unfinished_by_due WHERE state IN ('pending', 'inProgress')"),
            ("trigger: user by principal name", "per trigger", "SELECT data FROM users WHERE tenant = \(t) AND upn_key = \(upn)"),
            ("trigger: tenant settings", "per trigger", "SELECT data FROM tenant_settings WHERE tenant = \(t)"),
            ("trigger: conference id free on the bridge?", "per trigger (user saved)", """
                SELECT upn_key FROM users WHERE tenant = \(t) AND bridge = \(q(Backlog.bridge.id.rawValue)) \
                AND conference_id = '100000000' AND id != \(u)
                """),
            ("trigger: pending migration to merge into", "per trigger",
             "SELECT id, skype_treatment, teams_meetings FROM migrations WHERE tenant = \(t) AND user_id = \(u) AND state = 'pending'"),
            ("trigger: running migration (follow-up)", "per trigger", """
                SELECT id FROM migrations WHERE tenant = \(t) AND user_id = \(u) AND state = 'inProgress' \
                ORDER BY created_at DESC LIMIT 1
                """),
            ("prune finished records", "hourly", "SELECT id FROM migrations WHERE created_at < 1 AND state IN ('succeeded', 'failed')"),
            ("status: tenant's records (operator)", "per status call, not the worker",
             "SELECT * FROM migrations WHERE tenant = \(t) ORDER BY modified_at DESC, created_at DESC LIMIT 1000"),
            ("status: summary (operator)", "per status call, not the worker",
             "SELECT state, COUNT(DISTINCT user_id) AS users FROM migrations WHERE tenant = \(t) GROUP BY state"),
        ]
    }

    static func collect(store: SQLiteMigrationStore, sample: PlanSample) async throws -> [QueryPlan] {
        var plans: [QueryPlan] = []
        for statement in statements(sample) {
            let detail = try await store.queryPlan(statement.sql)
            let scans = detail.contains { $0.hasPrefix("SCAN ") && $0 != "SCAN CONSTANT ROW" }
            plans.append(QueryPlan(name: statement.name, frequency: statement.frequency, sql: statement.sql, detail: detail, scans: scans))
        }
        return plans
    }

    static func render(_ plans: [QueryPlan]) -> String {
        var lines = ["EXPLAIN QUERY PLAN of the hot-path statements (on this run's file):"]
        for plan in plans {
            lines.append("\(plan.scans ? "SCAN" : "ok  ")  \(plan.name)  [\(plan.frequency)]")
            lines.append("      \(plan.sql)")
            if plan.detail.isEmpty { lines.append("      → (no lookup step)") }
            for detail in plan.detail { lines.append("      → \(detail)") }
        }
        return lines.joined(separator: "\n")
    }
}
