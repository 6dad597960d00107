import Foundation
import MMSCore
import MMSCoreTesting
import MMSSQLite
import Testing

@Suite("SQLite store: durability, schema and indexes")
struct SQLiteDurabilityTests {
    @Test("Durability: the file is in WAL mode with synchronous FULL")
    func walAndFullSync() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteMigrationStore(directory: directory.path)
        #expect(try await store.pragma("journal_mode") == "wal")
        #expect(try await store.pragma("synchronous") == "2")  // 2 = FULL
        #expect(FileManager.default.fileExists(atPath: store.path))
        #expect(store.path.hasPrefix(directory.path))
    }

    @Test("Schema: versioned migrations are applied once and recorded")
    func schemaVersions() async throws {
        let directory = try TemporaryDirectory()
        let first = try SQLiteMigrationStore(directory: directory.path)
        let versions = try await first.appliedSchemaVersions()
        #expect(versions == [
            "v1: directory, calendar, queue, outbox", "v2: online meetings found by meeting identity", "v3: claims counted per migration",
            "v4: recurring meetings",
            "v5: mail settings, per-recipient outcomes, outbox backoff", "v6: refused recipients counted per migration",
            "v7: binary stored forms", "v8: the audit trail",
        ])
        let reopened = try SQLiteMigrationStore(directory: directory.path)
        #expect(try await reopened.appliedSchemaVersions() == versions)
    }

    @Test("Hot path: claim, merge, status and outbox queries use indexes, never a full table scan",
          arguments: [
            "SELECT * FROM migrations AS m INDEXED BY migrations_unfinished_by_due WHERE state IN ('pending', 'inProgress') AND due_at <= 1 AND NOT (state = 'pending' AND EXISTS (SELECT 1 FROM migrations AS running WHERE running.tenant = m.tenant AND running.user_id = m.user_id AND running.state = 'inProgress')) ORDER BY due_at, created_at LIMIT 5",
            "SELECT id FROM migrations WHERE tenant = 'a' AND user_id = 'b' AND state = 'pending'",
            "SELECT 1 FROM migrations WHERE tenant = 'a' AND user_id = 'b' AND state = 'inProgress' AND id != 'c' LIMIT 1",
            "SELECT * FROM migrations WHERE tenant = 'a' AND modified_at >= 1 ORDER BY modified_at DESC LIMIT 10",
            // GetMigrationStatus by identity: the user resolved in the same statement.
            "SELECT * FROM migrations WHERE tenant = 'a' AND user_id = (SELECT id FROM users WHERE tenant = 'a' AND upn_key = 'b') ORDER BY modified_at DESC, created_at DESC LIMIT 10",
            "SELECT body, data, sent_at FROM outbox INDEXED BY outbox_unsent WHERE sent_at IS NULL ORDER BY created_at LIMIT 10",
            "SELECT body, data FROM meetings WHERE tenant = 'a' AND organizer = 'b' AND start_at >= 1 ORDER BY start_at, id",
            "SELECT data FROM users WHERE tenant = 'a' AND upn_key = 'b'",
            "SELECT id FROM migrations WHERE created_at < 1 AND state IN ('succeeded', 'failed')",
            "SELECT data FROM online_meetings WHERE identity = 'x' ORDER BY join_url = 'x' DESC LIMIT 1",
          ])
    func indexes(_ sql: String) async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteMigrationStore(directory: directory.path)
        let plan = try await store.queryPlan(sql)
        #expect(!plan.isEmpty)
        for detail in plan {
            #expect(!(detail.hasPrefix("SCAN ") && !detail.contains("INDEX")), "full scan in \(plan) for \(sql)")
        }
    }

    @Test("Group commit: 200 concurrent enqueues are acknowledged and all durable after reopening, in fewer transactions than writes")
    func groupCommit() async throws {
        let directory = try TemporaryDirectory()
        let users = (0..<200).map { Fixtures.user("load\($0)") }
        do {
            let store = try SQLiteMigrationStore(directory: directory.path)
            try await store.saveBridge(Fixtures.bridge)
            for user in users { try await store.createUser(user) }
            let before = store.writeStatistics
            defer {
                let after = store.writeStatistics
                let writes = after.writes - before.writes, transactions = after.transactions - before.transactions
                #expect(writes == 200)
                #expect(transactions < writes, "no batching: \(transactions) transactions for \(writes) writes")
            }
            let clock = ManualClock()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for user in users {
                    group.addTask {
                        let outcome = try await store.enqueueMigration(
                            for: user, scope: MigrationScope(source: .all, target: .current),
                            parameters: EnqueueParameters(now: clock.now(), hold: .seconds(5400), trigger: "T4"))
                        #expect(outcome.isQueued)
                    }
                }
                try await group.waitForAll()
            }
        }
        let reopened = try SQLiteMigrationStore(directory: directory.path)
        let records = try await reopened.migrationStatus(Fixtures.tenant, filter: StatusFilter(limit: 1000))
        #expect(records.count == 200)
        #expect(Set(records.map(\.userId)) == Set(users.map(\.id)))
    }

    @Test("Group commit: one failing write in a batch fails alone, the others commit")
    func failingWriteIsIsolated() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteMigrationStore(directory: directory.path)
        let users = (0..<20).map { Fixtures.user("iso\($0)") }
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for user in users {
                group.addTask {
                    do { try await store.createUser(user); return true } catch { return false }
                }
                group.addTask {
                    // Same principal name, different id: exactly one of the pair must fail.
                    var twin = user
                    twin.id = .random()
                    do { try await store.createUser(twin); return true } catch { return false }
                }
            }
            var collected: [Bool] = []
            for try await result in group { collected.append(result) }
            return collected
        }
        #expect(results.filter { $0 }.count == 20)
        for user in users {
            #expect(try await store.user(Fixtures.tenant, principalName: user.userPrincipalName) != nil)
        }
    }
}
