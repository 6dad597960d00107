import Foundation
import Logging
import MMSCore
import MMSCoreTesting
import MMSPostgres
import MMSPostgresTesting
import Testing

/// Issue 12: the versioned schema, its advisory lock, and what start-up says when it cannot start.
@Suite("PostgreSQL store: schema and start-up")
struct PostgresSchemaTests {
    @Test("Schema: a database at version 1 is upgraded in place; its rows are kept and read")
    func upgradeFromV1() async throws {
        try await PostgresFixture.with { fixture in
            try await PostgresBackend.prepareSchema(try fixture.settings, upTo: 1)
            #expect(try fixture.server.sql("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_versions", database: fixture.database) == "1")
            #expect(try fixture.server.sql("SELECT to_regclass('audit_records') IS NULL", database: fixture.database) == "t")
            // Rows written at version 1: a tenant of the access store and a bridge of the engine's.
            try fixture.server.sql(
                "INSERT INTO access_tenants (id, display_name, created) VALUES ('contoso', 'Contoso', 1900000000)", database: fixture.database)
            try fixture.server.sql(
                "INSERT INTO bridges (tenant, id, data) VALUES ('contoso', 'b1', convert_to('{\"id\":\"b1\",\"tenant\":\"contoso\",\"name\":\"B\",\"numbers\":[]}', 'UTF8'))",
                database: fixture.database)

            let backend = try await fixture.backend()
            let store = PostgresMigrationStore(backend: backend)
            #expect(try await store.appliedSchemaVersions() == [1, 2])
            #expect(try await PostgresAccessStore(backend: backend).tenants().map(\.displayName) == ["Contoso"])
            #expect(try await store.bridge(Fixtures.tenant, id: BridgeID("b1"))?.name == "B")
            // The new version works: the audit trail takes a record.
            let record = AuditRecord(time: Date(), tokenID: "t1", role: .operator, tenant: Fixtures.tenant, call: "CreateTenant", target: "contoso")
            try await store.recordAudit(record)
            #expect(try await store.auditRecords(AuditQuery(tenant: Fixtures.tenant)).map(\.id) == [record.id])
        }
    }

    @Test("Schema: servers starting at once migrate it once (advisory lock)")
    func concurrentStarts() async throws {
        try await PostgresFixture.with { fixture in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { _ = try await fixture.backend() } }
                try await group.waitForAll()
            }
            #expect(try fixture.server.sql("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_versions", database: fixture.database) == "1,2")
        }
    }

    @Test("Schema: a database newer than the binary is refused, naming both versions, and left as it is")
    func newerSchemaRefused() async throws {
        try await PostgresFixture.with { fixture in
            _ = try await fixture.backend()
            try fixture.server.sql("INSERT INTO schema_versions (version, name, applied_at) VALUES (99, 'the future', 0)", database: fixture.database)
            do {
                _ = try await fixture.backend()
                Issue.record("a schema at version 99 was accepted")
            } catch let error as PostgresSchema.TooNew {
                #expect(error.database == 99 && error.binary == PostgresSchema.latest)
                #expect("\(error)".contains("version 99") && "\(error)".contains("mms-server's \(PostgresSchema.latest)"))
            }
            #expect(try fixture.server.sql("SELECT count(*) FROM schema_versions", database: fixture.database) == "3")
        }
    }

    @Test("Start-up: a wrong password is one line naming the server, without the password")
    func wrongPassword() async throws {
        let fixture = try await PostgresFixture.make()
        var settings = try fixture.settings
        settings.password = "not-the-password-123"
        do {
            _ = try await PostgresBackend(settings: settings)
            Issue.record("a wrong password was accepted")
        } catch let error as PostgresBackend.StartupFailure {
            let text = "\(error)"
            #expect(!text.contains("\n") && text.contains("127.0.0.1:\(fixture.server.port)") && text.contains("password authentication failed"))
            #expect(!text.contains("not-the-password-123") && !text.contains(fixture.server.password))
        }
    }

    @Test("Start-up: an unreachable server is named, with why")
    func unreachable() async throws {
        let port = try TestPostgres.freePort()
        let settings = try PostgresSettings(url: "postgres://mms:secret-pw@127.0.0.1:\(port)/nowhere?sslmode=disable")
        do {
            _ = try await PostgresBackend(settings: settings)
            Issue.record("an unreachable server was accepted")
        } catch let error as PostgresBackend.StartupFailure {
            #expect("\(error)".contains("127.0.0.1:\(port)/nowhere") && !"\(error)".contains("secret-pw"))
        }
    }

    @Test("Settings: the URL's parts and options; the password never printed; bad URLs say what is wrong")
    func settingsFromURL() throws {
        let settings = try PostgresSettings(url: "postgres://mms:p%40ss@db.example.com:6432/engine?sslmode=verify-full&pool_size=7")
        #expect(settings.host == "db.example.com" && settings.port == 6432 && settings.username == "mms" && settings.password == "p@ss")
        #expect(settings.database == "engine" && settings.tls == .verifyFull && settings.poolSize == 7)
        #expect(!settings.description.contains("p@ss") && settings.description.contains("db.example.com:6432/engine"))
        #expect(try PostgresSettings(url: "postgresql://u@h/d").tls == .prefer)
        for (bad, words) in [
            ("mysql://u@h/d", "postgres://"), ("postgres://h/d", "no user"), ("postgres://u@h/", "no database"),
            ("postgres://u@h/d?sslmode=maybe", "sslmode 'maybe'"), ("postgres://u@h/d?color=red", "'color'"),
        ] {
            #expect(throws: PostgresSettings.Invalid.self) { try PostgresSettings(url: bad) }
            do { _ = try PostgresSettings(url: bad) } catch { #expect("\(error)".contains(words), "\(bad): \(error)") }
        }
    }
}
