import Foundation
import GRDB
import MMSCore
import MMSCoreTesting
@testable import MMSSQLite
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
        #expect(try await store.appliedSchemaVersions().count == 4)
        let found = try await store.onlineMeeting(joinURL: "https://meet.lync.com/contoso/ann/K7QZ2B4X?sl=1")
        #expect(found?.joinURL == joinURL)
    }
}
