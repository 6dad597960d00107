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
        #expect(try await store.appliedSchemaVersions().count == 3)
        let found = try await store.onlineMeeting(joinURL: "https://meet.lync.com/contoso/ann/K7QZ2B4X?sl=1")
        #expect(found?.joinURL == joinURL)
    }

    @Test("Limits: a trigger repeated many times inside the hold does not grow the pending row (M1)")
    func repeatedTriggersDoNotGrowTheRow() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteMigrationStore(directory: directory.path)
        let ann = Fixtures.user("ann")
        try await store.createUser(ann)
        let scope = MigrationScope(skypeMeetings: .convertToTeams, teamsMeetings: true)
        for index in 0..<60 {
            let trigger = index.isMultiple(of: 2) ? "Start-CsExMeetingMigration" : "Set-CsOnlineDialInConferencingUser"
            let parameters = EnqueueParameters(now: Date(timeIntervalSince1970: 1_000_000), hold: .seconds(5400), trigger: trigger)
            _ = try await store.enqueueMigration(for: ann, scope: scope, parameters: parameters)
        }
        let (count, triggers) = try await store.pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT trigger_count, triggers FROM migrations WHERE user_id = ?", arguments: [ann.id.rawValue])!
            return (row[0] as Int, row[1] as String)
        }
        #expect(count == 60, "every trigger is counted")
        #expect(triggers == "Start-CsExMeetingMigration; Set-CsOnlineDialInConferencingUser", "each kind listed once: \(triggers.prefix(200))")
    }
}
