import Foundation
import GRDB
import MMSCore
import MMSCoreTesting
@testable import MMSSQLite
import Testing

@Suite("SQLite store: row limits and read connections")
struct SQLiteStoreInternalsTests {
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

    @Test("Short reads: the connections they use refuse writes, and see a write as soon as it is committed")
    func shortReadConnections() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteMigrationStore(directory: directory.path)
        let ann = Fixtures.user("ann")
        #expect(try await store.user(Fixtures.tenant, principalName: ann.userPrincipalName) == nil)
        try await store.createUser(ann)
        #expect(try await store.user(Fixtures.tenant, principalName: ann.userPrincipalName) == ann, "read after the acknowledged write")
        #expect(throws: (any Error).self) { try store.readNow { db in try db.execute(sql: "DELETE FROM users") } }
        #expect(try await store.user(Fixtures.tenant, principalName: ann.userPrincipalName) == ann, "nothing deleted")
    }
}
