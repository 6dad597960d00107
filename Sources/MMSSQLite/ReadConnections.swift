import GRDB
import Synchronization

/// Connections to the store's file used only for reading (`PRAGMA query_only`), for short reads
/// made on the calling thread.
///
/// GRDB's `DatabasePool` hands out its readers through a dispatch queue, a semaphore and a
/// key-path search, and checks the schema version before every read; on the status call a
/// profile put that at about a sixth of the server's CPU. These connections are taken from a
/// locked list instead, created on first need up to `limit`, and return `nil` when all are busy
/// (the caller then uses the pool). Each statement sees every transaction committed before it
/// started (WAL).
final class ReadConnections: Sendable {
    private struct State {
        var idle: [DatabaseQueue] = []
        var created = 0
    }

    private let path: String
    private let limit: Int
    private let state = Mutex(State())

    init(path: String, limit: Int) {
        self.path = path
        self.limit = limit
    }

    /// Runs `body` on an idle connection, or returns nil when all `limit` are in use.
    func read<T>(_ body: (Database) throws -> T) throws -> T? {
        guard let connection = try take() else { return nil }
        defer { state.withLock { $0.idle.append(connection) } }
        return try connection.inDatabase(body)
    }

    private func take() throws -> DatabaseQueue? {
        enum Next { case use(DatabaseQueue), create, none }
        let next = state.withLock { state -> Next in
            if let connection = state.idle.popLast() { return .use(connection) }
            guard state.created < limit else { return .none }
            state.created += 1
            return .create
        }
        switch next {
        case .use(let connection):
            return connection
        case .none:
            return nil
        case .create:
            do {
                var configuration = Configuration()
                // Not opened read-only: a read-only connection cannot record its read mark in the
                // WAL index, so under a stream of commits its reads wait for another connection to
                // record one (measured: durable writes at half speed, the server idle). It is made
                // read-only for SQL instead.
                configuration.label = "mms.read"
                configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = ON") }
                // Reads wait for the writer only during WAL recovery after a crash.
                configuration.busyMode = .timeout(10)
                return try DatabaseQueue(path: path, configuration: configuration)
            } catch {
                state.withLock { $0.created -= 1 }
                throw error
            }
        }
    }
}
