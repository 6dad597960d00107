import Foundation
import GRDB
import MMSCore
import MMSCoreTesting
@testable import MMSSQLite
import MMSStoredForms
import Testing

@Suite("SQLite store: schema upgrades")
struct SQLiteSchemaUpgradeTests {
    @Test("Schema: a file at v1 is upgraded in place; its online meetings get their identity (M4)")
    func upgradeFromV1() async throws {
        let directory = try TemporaryDirectory()
        let path = (directory.path as NSString).appendingPathComponent(SQLiteMigrationStore.fileName)
        let joinURL = "https://meet.lync.com/contoso/ann/K7QZ2B4X"
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v1: directory, calendar, queue, outbox")
            let meeting = OnlineMeeting(
                kind: .skypeOnline, joinURL: joinURL, tenant: Fixtures.tenant, organizer: UserID("u"), calendarMeeting: MeetingID("m"))
            let data = try JSONEncoder().encode(meeting)
            try await queue.write { db in
                try db.execute(
                    sql: "INSERT INTO online_meetings (join_url, tenant, kind, calendar_meeting, organizer, data) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [joinURL, "contoso", "skypeOnline", "m", "u", data])
            }
        }
        let store = try SQLiteMigrationStore(directory: directory.path)
        #expect(try await store.appliedSchemaVersions().count == Schema.migrator.migrations.count)
        let found = try await store.onlineMeeting(joinURL: "https://meet.lync.com/contoso/ann/K7QZ2B4X?sl=1")
        #expect(found?.joinURL == joinURL)
    }

    @Test("Schema: a file at v3 is upgraded to v4 in place; its meetings are single meetings, still found, and a series is saved")
    func upgradeFromV3() async throws {
        let directory = try TemporaryDirectory()
        let path = (directory.path as NSString).appendingPathComponent(SQLiteMigrationStore.fileName)
        let start = Date().addingTimeInterval(86_400)
        let meeting = CalendarMeeting(
            tenant: Fixtures.tenant, organizer: UserID("u"), attendees: [], start: start, end: start.addingTimeInterval(600),
            subject: "before v4", body: "body", bodyFormat: .plainText, kind: .teams, createdThroughService: true)
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v3: claims counted per migration")
            var stored = meeting
            stored.body = ""
            let data = try JSON.encode(stored)
            try await queue.write { db in
                try db.execute(
                    sql: "INSERT INTO meetings (id, tenant, organizer, start_at, version, body, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [meeting.id.rawValue, "contoso", "u", Int64(start.timeIntervalSince1970 * 1_000_000), 1, Data("body".utf8), data])
            }
        }
        let store = try SQLiteMigrationStore(directory: directory.path)
        #expect(try await store.appliedSchemaVersions().contains("v4: recurring meetings"))
        let found = try await store.meetings(Fixtures.tenant, organizedBy: UserID("u"), startingFrom: Date())
        #expect(found.map(\.id) == [meeting.id] && found.first?.recurrence == nil && found.first?.body == "body")
        var series = meeting
        series.id = MeetingID("series")
        series.start = Date().addingTimeInterval(-30 * 86_400)
        series.end = series.start.addingTimeInterval(600)
        series.recurrence = "FREQ=WEEKLY"
        try await store.saveMeeting(series)
        let listed = try await store.meetings(Fixtures.tenant, organizedBy: UserID("u"), startingFrom: Date())
        #expect(Set(listed.map(\.id)) == [meeting.id, series.id], "an unbounded series begun a month ago is still a candidate")
    }
}
