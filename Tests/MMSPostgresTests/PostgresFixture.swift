import Foundation
import Logging
import MMSCore
import MMSPostgres
import MMSPostgresTesting
import Synchronization

/// A fresh database on the test process's PostgreSQL server, and the backends opened on it
/// (closed by ``close()``).
final class PostgresFixture: Sendable {
    let server: TestPostgres
    let url: String
    /// The database's name.
    let database: String
    private let opened = Mutex<[PostgresBackend]>([])

    private init(server: TestPostgres, url: String) {
        self.server = server
        self.url = url
        database = String(URLComponents(string: url)!.path.dropFirst())
    }

    /// A fixture on a new database (the server and the database made off the cooperative pool).
    static func make() async throws -> PostgresFixture {
        let server = try await TestPostgres.server()
        return PostgresFixture(server: server, url: try await server.newDatabase())
    }

    /// Settings for this database; a small pool, since many tests run at once on one server.
    var settings: PostgresSettings {
        get throws {
            var settings = try PostgresSettings(url: url)
            settings.poolSize = 6
            return settings
        }
    }

    /// A backend (the schema brought up to date), closed with the fixture.
    func backend(logger: Logger = Logger(label: "test.postgres")) async throws -> PostgresBackend {
        let backend = try await PostgresBackend(settings: try settings, logger: logger)
        opened.withLock { $0.append(backend) }
        return backend
    }

    func store() async throws -> PostgresMigrationStore { PostgresMigrationStore(backend: try await backend()) }

    func close() async {
        for backend in opened.withLock({ $0 }) { await backend.shutdown() }
    }

    /// Runs `body` with a fixture, closing it after.
    static func with<T>(_ body: (PostgresFixture) async throws -> T) async throws -> T {
        let fixture = try await PostgresFixture.make()
        do {
            let value = try await body(fixture)
            await fixture.close()
            return value
        } catch {
            await fixture.close()
            throw error
        }
    }
}
