import Foundation
import Logging
import MMSCore
import MMSStoredForms
import NIOCore
import NIOFoundationCompat
import PostgresNIO

/// The PostgreSQL backend of the engine (issue 12): the same rows as the SQLite file, shared by
/// any number of `mms-server` processes.
///
/// * Claims are one `UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED)` statement: two servers never
///   claim one row, and neither waits for the other's rows.
/// * Every fenced write (`recordMeetingOutcomes`, `finish…`, `reschedule…`, `renewLease`) locks its
///   migration's row (`FOR UPDATE`) and checks its lease token in the same transaction.
/// * Enqueue-or-merge takes a transaction-level advisory lock on the user (`hashtext` of tenant and user id), then merges into the
///   pending row or inserts one; the partial unique index `migrations_one_pending_per_user` stays
///   the rule's last guard.
/// * The outbox is claimed: `dueInvitations` moves the rows it returns out of every server's view
///   for `outboxClaim` (their `not_before`), so exactly one server sends a given invitation.
/// * Pruning runs on one server at a time (`pg_try_advisory_xact_lock`).
///
/// Writes are durable when the call returns (PostgreSQL's `synchronous_commit`, on by default).
public final class PostgresMigrationStore: MigrationStore, AuditStore, StoreCounts {
    let backend: PostgresBackend
    var logger: Logger { backend.logger }
    /// How long a server keeps the invitations it took from the outbox before another may take them.
    public let outboxClaim: Duration

    /// A store over `backend`'s database.
    public init(backend: PostgresBackend, outboxClaim: Duration = .seconds(120)) {
        self.backend = backend
        self.outboxClaim = outboxClaim
    }

    /// The schema versions applied to the database, in order.
    public func appliedSchemaVersions() async throws -> [Int] {
        try await backend.rows("SELECT version FROM schema_versions ORDER BY version").map { try $0.makeRandomAccess().get(0) }
    }

    /// Runs `body` in one transaction. Inside an admin call (an `AuditScope` is current) the call's
    /// audit record is written in the same transaction (R8), with the migrations `body` queued.
    func write<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        guard let scope = AuditScope.current else { return try await backend.transaction(body) }
        let record = scope.pending
        let logger = self.logger
        let value = try await backend.transaction { connection in
            let value = try await body(connection)
            let summary = AuditSummary.of(value)
            var written = record
            if let outcome = summary.outcome { written.outcome = outcome }
            if let detail = summary.detail { written.detail = detail }
            try await PostgresAudit.upsert(connection, place: .engine, written, correlationIDs: summary.ids, logger)
            return value
        }
        scope.markWritten()
        return value
    }

    // MARK: Tenant settings

    public func tenantSettings(_ tenant: TenantID) async throws -> TenantSettings {
        try await backend.client.withConnection { try await Self.settings($0, tenant, logger) }
    }

    public func saveTenantSettings(_ settings: TenantSettings) async throws {
        let data = ByteBuffer(data: try JSON.encode(settings))
        let logger = self.logger
        try await write { connection in
            try await connection.run(
                "INSERT INTO tenant_settings (tenant, data) VALUES (\(settings.tenant.rawValue), \(data)) ON CONFLICT (tenant) DO UPDATE SET data = excluded.data",
                logger)
        }
    }

    static func settings(_ connection: PostgresConnection, _ tenant: TenantID, _ logger: Logger) async throws -> TenantSettings {
        guard let row = try await connection.rows("SELECT data FROM tenant_settings WHERE tenant = \(tenant.rawValue)", logger).first else {
            return .defaults(for: tenant)
        }
        let data = try row.makeRandomAccess().get(0, Data.self)
        return try DecodeCaches.settings.value(data) { try JSON.decode(TenantSettings.self, from: $0) }
    }

    // MARK: Directory

    public func createUser(_ user: User) async throws {
        let logger = self.logger
        try await write { connection in
            // Two servers creating one principal name take turns (the unique index is the last guard).
            try await connection.run(
                "SELECT pg_advisory_xact_lock(hashtext(\(user.tenant.rawValue)), hashtext(\("upn:" + user.userPrincipalName.lowercased())))", logger)
            if try await Self.user(connection, user.tenant, principalName: user.userPrincipalName, logger) != nil {
                throw MigrationEngineError(
                    code: .alreadyExists, field: "userPrincipalName",
                    message: "a user with principal name '\(user.userPrincipalName)' already exists in tenant '\(user.tenant)'")
            }
            if try await !connection.rows("SELECT 1 FROM users WHERE id = \(user.id.rawValue)", logger).isEmpty {
                throw MigrationEngineError(code: .alreadyExists, field: "id", message: "a user with id '\(user.id)' already exists")
            }
            try await Self.save(connection, user, logger)
        }
    }

    public func user(_ tenant: TenantID, principalName: String) async throws -> User? {
        try await backend.client.withConnection { try await Self.user($0, tenant, principalName: principalName, logger) }
    }

    public func user(_ tenant: TenantID, id: UserID) async throws -> User? {
        try await backend.rows("SELECT data FROM users WHERE id = \(id.rawValue) AND tenant = \(tenant.rawValue)").first
            .map { try StoredForm.user(try $0.makeRandomAccess().get(0)) }
    }

    public func users(_ tenant: TenantID, onBridge bridge: BridgeID) async throws -> [User] {
        try await backend.rows("SELECT data FROM users WHERE tenant = \(tenant.rawValue) AND bridge = \(bridge.rawValue) ORDER BY upn_key")
            .map { try StoredForm.user(try $0.makeRandomAccess().get(0)) }
    }

    public func users(_ tenant: TenantID, after: String?, limit: Int) async throws -> [User] {
        // Byte order (COLLATE "C"), as SQLite's: pages of ListUsers continue after a principal name (issue 16).
        let after = after?.lowercased() ?? ""
        return try await backend.rows(
            "SELECT data FROM users WHERE tenant = \(tenant.rawValue) AND upn_key COLLATE \"C\" > \(after) ORDER BY upn_key COLLATE \"C\" LIMIT \(limit)"
        ).map { try StoredForm.user(try $0.makeRandomAccess().get(0)) }
    }

    public func modifyUser(
        _ tenant: TenantID, principalName: String, parameters: EnqueueParameters,
        change: @escaping @Sendable (inout User, TenantSettings) throws -> TriggerDecision
    ) async throws -> DirectoryChangeOutcome {
        let logger = self.logger
        return try await write { connection in
            // FOR UPDATE: two servers changing one user serialise here.
            guard let row = try await connection.rows(
                "SELECT data FROM users WHERE tenant = \(tenant.rawValue) AND upn_key = \(principalName.lowercased()) FOR UPDATE", logger
            ).first else {
                throw MigrationEngineError(
                    code: .notFound, field: "identity", message: "no user with principal name '\(principalName)' in tenant '\(tenant)'")
            }
            let original = try StoredForm.user(try row.makeRandomAccess().get(0))
            let settings = try await Self.settings(connection, tenant, logger)
            var changed = original
            switch try change(&changed, settings) {
            case .refuse(let reason):
                return DirectoryChangeOutcome(user: original, migration: .notQueued(reason))
            case .noMigration(let reason):
                if changed != original { try await Self.save(connection, changed, logger) }
                return DirectoryChangeOutcome(user: changed, migration: .notQueued(reason))
            case .enqueue(let scope):
                if changed != original { try await Self.save(connection, changed, logger) }
                let outcome = try await Self.enqueue(connection, user: changed, scope: scope, parameters: parameters, logger)
                return DirectoryChangeOutcome(user: changed, migration: outcome)
            }
        }
    }

    public func saveBridge(_ bridge: Bridge) async throws {
        let data = ByteBuffer(data: try JSON.encode(bridge))
        let logger = self.logger
        try await write { connection in
            try await connection.run(
                """
                INSERT INTO bridges (tenant, id, data) VALUES (\(bridge.tenant.rawValue), \(bridge.id.rawValue), \(data))
                ON CONFLICT (tenant, id) DO UPDATE SET data = excluded.data
                """, logger)
        }
    }

    public func bridge(_ tenant: TenantID, id: BridgeID) async throws -> Bridge? {
        try await backend.rows("SELECT data FROM bridges WHERE tenant = \(tenant.rawValue) AND id = \(id.rawValue)").first.map {
            try DecodeCaches.bridges.value(try $0.makeRandomAccess().get(0)) { try JSON.decode(Bridge.self, from: $0) }
        }
    }

    public func bridges(_ tenant: TenantID) async throws -> [Bridge] {
        try await backend.rows("SELECT data FROM bridges WHERE tenant = \(tenant.rawValue) ORDER BY id").map {
            try DecodeCaches.bridges.value(try $0.makeRandomAccess().get(0)) { try JSON.decode(Bridge.self, from: $0) }
        }
    }

    static func user(_ connection: PostgresConnection, _ tenant: TenantID, principalName: String, _ logger: Logger) async throws -> User? {
        try await connection.rows("SELECT data FROM users WHERE tenant = \(tenant.rawValue) AND upn_key = \(principalName.lowercased())", logger)
            .first.map { try StoredForm.user(try $0.makeRandomAccess().get(0)) }
    }

    static func save(_ connection: PostgresConnection, _ user: User, _ logger: Logger) async throws {
        let audio = user.audioConferencing
        if let bridge = audio.bridge, let conferenceId = audio.conferenceId,
            let holder = try await connection.rows(
                """
                SELECT upn_key FROM users WHERE tenant = \(user.tenant.rawValue) AND bridge = \(bridge.rawValue)
                    AND conference_id = \(conferenceId) AND id <> \(user.id.rawValue)
                """, logger
            ).first
        {
            let name = try holder.makeRandomAccess().get(0, String.self)
            throw MigrationEngineError(
                code: .failedPrecondition, field: "conferenceId",
                message: "conference id \(conferenceId) is already used on bridge '\(bridge)' by \(name); conference ids are unique on a bridge")
        }
        let data = ByteBuffer(data: StoredForm.encode(user))
        try await connection.run(
            """
            INSERT INTO users (id, tenant, upn_key, bridge, conference_id, data)
            VALUES (\(user.id.rawValue), \(user.tenant.rawValue), \(user.userPrincipalName.lowercased()), \(audio.bridge?.rawValue),
                \(audio.conferenceId), \(data))
            ON CONFLICT (id) DO UPDATE SET upn_key = excluded.upn_key, bridge = excluded.bridge,
                conference_id = excluded.conference_id, data = excluded.data
            """, logger)
    }

    // MARK: Calendar and conferencing

    public func saveMeeting(_ meeting: CalendarMeeting) async throws {
        let logger = self.logger
        try await write { connection in try await Self.save(connection, meeting, logger) }
    }

    public func meeting(_ tenant: TenantID, id: MeetingID) async throws -> CalendarMeeting? {
        try await backend.rows("SELECT body, data FROM meetings WHERE id = \(id.rawValue) AND tenant = \(tenant.rawValue)").first
            .map(Self.meeting(from:))
    }

    public func meetings(_ tenant: TenantID, organizedBy organizer: UserID, startingFrom start: Date) async throws -> [CalendarMeeting] {
        // A recurring series is a candidate until its last occurrence has started (as in SQLite).
        let seriesFrom = start.addingTimeInterval(-366 * 86_400).micros
        return try await backend.rows(
            """
            SELECT body, data FROM meetings WHERE tenant = \(tenant.rawValue) AND organizer = \(organizer.rawValue)
                AND (start_at >= \(start.micros) OR (recurring AND (last_start_at IS NULL OR last_start_at >= \(seriesFrom))))
            ORDER BY start_at, id
            """
        ).map(Self.meeting(from:))
    }

    public func saveOnlineMeeting(_ meeting: OnlineMeeting) async throws {
        let logger = self.logger
        try await write { connection in try await Self.save(connection, meeting, logger) }
    }

    public func onlineMeeting(joinURL: String) async throws -> OnlineMeeting? {
        try await backend.rows(
            "SELECT data FROM online_meetings WHERE identity = \(Self.identity(ofJoinURL: joinURL)) ORDER BY join_url = \(joinURL) DESC LIMIT 1"
        ).first.map { try StoredForm.onlineMeeting(try $0.makeRandomAccess().get(0)) }
    }

    public func onlineMeeting(_ tenant: TenantID, calendarMeeting: MeetingID, kind: MeetingKind) async throws -> OnlineMeeting? {
        try await backend.rows(
            """
            SELECT data FROM online_meetings WHERE calendar_meeting = \(calendarMeeting.rawValue) AND kind = \(kind.rawValue)
                AND tenant = \(tenant.rawValue) ORDER BY join_url LIMIT 1
            """
        ).first.map { try StoredForm.onlineMeeting(try $0.makeRandomAccess().get(0)) }
    }

    public func onlineMeetings(_ tenant: TenantID, organizedBy organizer: UserID) async throws -> [OnlineMeeting] {
        try await backend.rows(
            "SELECT data FROM online_meetings WHERE tenant = \(tenant.rawValue) AND organizer = \(organizer.rawValue) ORDER BY join_url"
        ).map { try StoredForm.onlineMeeting(try $0.makeRandomAccess().get(0)) }
    }

    static func identity(ofJoinURL joinURL: String) -> String {
        InvitationBlock.meetingIdentity(ofJoinURL: joinURL) ?? joinURL
    }

    static func save(_ connection: PostgresConnection, _ meeting: CalendarMeeting, _ logger: Logger) async throws {
        let body = ByteBuffer(bytes: Array(meeting.body.utf8))
        let data = ByteBuffer(data: StoredForm.encode(meeting))
        let recurring = meeting.recurrence != nil
        let lastStart = recurring ? meeting.lastOccurrenceStart?.micros : nil
        try await connection.run(
            """
            INSERT INTO meetings (id, tenant, organizer, start_at, version, body, data, recurring, last_start_at)
            VALUES (\(meeting.id.rawValue), \(meeting.tenant.rawValue), \(meeting.organizer.rawValue), \(meeting.start.micros),
                \(meeting.version), \(body), \(data), \(recurring), \(lastStart))
            ON CONFLICT (id) DO UPDATE SET organizer = excluded.organizer, start_at = excluded.start_at,
                version = excluded.version, body = excluded.body, data = excluded.data,
                recurring = excluded.recurring, last_start_at = excluded.last_start_at
            """, logger)
    }

    static func save(_ connection: PostgresConnection, _ meeting: OnlineMeeting, _ logger: Logger) async throws {
        let data = ByteBuffer(data: StoredForm.encode(meeting))
        try await connection.run(
            """
            INSERT INTO online_meetings (join_url, tenant, kind, calendar_meeting, organizer, data, identity)
            VALUES (\(meeting.joinURL), \(meeting.tenant.rawValue), \(meeting.kind.rawValue), \(meeting.calendarMeeting.rawValue),
                \(meeting.organizer.rawValue), \(data), \(identity(ofJoinURL: meeting.joinURL)))
            ON CONFLICT (join_url) DO UPDATE SET data = excluded.data, calendar_meeting = excluded.calendar_meeting,
                organizer = excluded.organizer, kind = excluded.kind, identity = excluded.identity
            """, logger)
    }

    static func meeting(from row: PostgresRow) throws -> CalendarMeeting {
        let row = row.makeRandomAccess()
        return try StoredForm.meeting(try row.get(1), body: String(utf8Data: try row.get(0, Data.self)))
    }
}
