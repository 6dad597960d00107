import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// One PostgreSQL database shared by any number of `mms-server` processes (issue 12): the pool
/// of connections both stores use, and the schema brought up to date at start-up, under an
/// advisory lock so that two processes starting at once do not both migrate it.
///
/// Every statement is parameterised (`PostgresQuery` interpolation binds values as `$n`); no
/// value is ever written into SQL text.
public final class PostgresBackend: Sendable {
    public let settings: PostgresSettings
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>

    /// Why the backend could not start: where it tried and why, never the password.
    public struct StartupFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Connects (one connection first, so that an unreachable server or a wrong password is one
    /// clear error), brings the schema up to date and starts the pool.
    /// - Throws: ``StartupFailure``; ``PostgresSchema/TooNew`` for a schema newer than this binary.
    public init(settings: PostgresSettings, logger: Logger = Logger(label: "mms.postgres")) async throws {
        self.settings = settings
        self.logger = logger
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: try settings.connectionConfiguration(), id: 0, logger: logger)
        } catch {
            throw StartupFailure(description: "cannot connect to the database \(settings): \(PostgresBackend.describe(error))")
        }
        do {
            try await PostgresSchema.migrate(connection, logger: logger)
            try? await connection.close()
        } catch {
            try? await connection.close()
            if error is PostgresSchema.TooNew { throw error }
            throw StartupFailure(description: "cannot bring the schema of \(settings) up to date: \(PostgresBackend.describe(error))")
        }
        let client = PostgresClient(configuration: try settings.clientConfiguration(), backgroundLogger: logger)
        self.client = client
        self.running = Task { await client.run() }
    }

    deinit { running.cancel() }

    /// Brings the schema of `settings`' database to `version` and no further (tests build an older schema with it).
    package static func prepareSchema(_ settings: PostgresSettings, upTo version: Int, logger: Logger = Logger(label: "mms.postgres")) async throws {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: try settings.connectionConfiguration(), id: 0, logger: logger)
        do {
            try await PostgresSchema.migrate(connection, logger: logger, upTo: version)
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Closes the pool.
    public func shutdown() async {
        running.cancel()
        await running.value
    }

    /// Runs `body` in one transaction (committed when it returns, rolled back when it throws).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            _ = try await connection.query("BEGIN", logger: logger)
            do {
                let value = try await body(connection)
                _ = try await connection.query("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// All rows of one statement, outside a transaction.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await client.query(query, logger: logger).collect()
    }

    /// A PostgreSQL error in words: the server's message and SQLSTATE, or the client's error code,
    /// never the statement or its values (which PSQLError's debug description holds).
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo, let message = info[.message] {
            return "\(message) (SQLSTATE \(info[.sqlState] ?? "?"))"
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }

    /// The SQLSTATE of a server error, if `error` is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}

extension PostgresConnection {
    /// All rows of one statement.
    func rows(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }

    /// Runs one statement, discarding its rows.
    func run(_ query: PostgresQuery, _ logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }
}

/// Advisory-lock keys (one namespace of our own: `MMS` in the high bytes).
enum AdvisoryLock {
    /// Held while the schema is migrated.
    static let schema: Int64 = 0x4D4D_5300_0000_0001
    /// Held by the one instance that prunes (S2) at a time.
    static let prune: Int64 = 0x4D4D_5300_0000_0002
    /// Held by the one instance that prunes the audit trail at a time.
    static let auditPrune: Int64 = 0x4D4D_5300_0000_0003
}

extension PostgresRandomAccessRow {
    func get<T: PostgresDecodable>(_ index: Int, _ type: T.Type = T.self) throws -> T { try self[index].decode(T.self) }
}
