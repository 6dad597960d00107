import Foundation
import GRDB
import MMSCore
import MMSStoredForms

extension SQLiteMigrationStore {
    public func saveMeeting(_ meeting: CalendarMeeting) async throws {
        try await write { db in try Self.save(db, meeting) }
    }

    public func meeting(_ tenant: TenantID, id: MeetingID) async throws -> CalendarMeeting? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT body, data FROM meetings WHERE id = ? AND tenant = ?", arguments: [id.rawValue, tenant.rawValue])
                .map(Self.meeting(from:))
        }
    }

    public func meetings(_ tenant: TenantID, organizedBy organizer: UserID, startingFrom start: Date) async throws -> [CalendarMeeting] {
        // A whole calendar (once per migration, and for ListMeetings): unbounded, so on GRDB's
        // reader queue, never on the caller's thread (an RPC's event loop); the statement cached.
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT body, data FROM meetings WHERE tenant = ? AND organizer = ?
                        AND (start_at >= ? OR (recurring = 1 AND (last_start_at IS NULL OR last_start_at >= ?)))
                    ORDER BY start_at, id
                    """),
                // A recurring series is a candidate until its last occurrence has started; the
                // engine keeps those with an occurrence still to end (CalendarMeeting.nextOccurrence).
                arguments: [tenant.rawValue, organizer.rawValue, start.micros, start.addingTimeInterval(-366 * 86_400).micros]
            ).map(Self.meeting(from:))
        }
    }

    public func saveOnlineMeeting(_ meeting: OnlineMeeting) async throws {
        let data = StoredForm.encode(meeting)
        try await write { db in try Self.save(db, meeting, data: data) }
    }

    public func onlineMeeting(joinURL: String) async throws -> OnlineMeeting? {
        // Once per migrated meeting (M4's look-up): on the calling thread, cached.
        try readNow { db in
            try Data.fetchOne(
                db.cachedStatement(sql: "SELECT data FROM online_meetings WHERE identity = ? ORDER BY join_url = ? DESC LIMIT 1"),
                arguments: [Self.identity(ofJoinURL: joinURL), joinURL]
            ).map { try StoredForm.onlineMeeting($0) }
        }
    }

    public func onlineMeeting(_ tenant: TenantID, calendarMeeting: MeetingID, kind: MeetingKind) async throws -> OnlineMeeting? {
        // Once per migrated meeting (is one scheduled already?): on the calling thread, cached.
        try readNow { db in
            try Data.fetchOne(
                db.cachedStatement(sql: "SELECT data FROM online_meetings WHERE calendar_meeting = ? AND kind = ? AND tenant = ?"),
                arguments: [calendarMeeting.rawValue, kind.rawValue, tenant.rawValue]
            ).map { try StoredForm.onlineMeeting($0) }
        }
    }

    public func onlineMeetings(_ tenant: TenantID, organizedBy organizer: UserID) async throws -> [OnlineMeeting] {
        try await read { db in
            try Data.fetchAll(
                db, sql: "SELECT data FROM online_meetings WHERE tenant = ? AND organizer = ?",
                arguments: [tenant.rawValue, organizer.rawValue]
            ).map { try StoredForm.onlineMeeting($0) }
        }
    }

    // MARK: Helpers

    /// What names the meeting in a join URL (the URL itself when it is not a Teams or Skype one).
    static func identity(ofJoinURL joinURL: String) -> String {
        InvitationBlock.meetingIdentity(ofJoinURL: joinURL) ?? joinURL
    }

    static func save(_ db: Database, _ meeting: CalendarMeeting) throws {
        try save(db, meeting, data: try meetingData(meeting))
    }

    /// A meeting's stored form, without its body (kept as exact bytes beside it, M8).
    static func meetingData(_ meeting: CalendarMeeting) throws -> Data {
        StoredForm.encode(meeting)
    }

    static func save(_ db: Database, _ meeting: CalendarMeeting, data: Data) throws {
        try db.cachedStatement(sql: """
            INSERT INTO meetings (id, tenant, organizer, start_at, version, body, data, recurring, last_start_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET organizer = excluded.organizer, start_at = excluded.start_at,
                version = excluded.version, body = excluded.body, data = excluded.data,
                recurring = excluded.recurring, last_start_at = excluded.last_start_at
            """).execute(arguments: [
                meeting.id.rawValue, meeting.tenant.rawValue, meeting.organizer.rawValue, meeting.start.micros,
                meeting.version, meeting.body.utf8Data, data,
                meeting.recurrence == nil ? 0 : 1, meeting.recurrence == nil ? nil : meeting.lastOccurrenceStart?.micros,
            ])
    }

    static func meeting(from row: Row) throws -> CalendarMeeting {
        try StoredForm.meeting(row["data"], body: String(utf8Data: row["body"]))
    }
}
