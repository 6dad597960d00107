import Foundation
import MMSClient
import MMSServer
import Synchronization
import Testing

/// Issue 16: WatchMigration waits for a migration that does not exist yet, and its limits are
/// per tenant as well as server-wide (PROTOCOL.md §8, §9 "WatchMigration").
@Suite("WatchMigration: waiting, and limits per tenant")
struct WatchTests {
    @Test("Issue 16: a watch until finished opened before StartMeetingMigration waits for it and sees it to the end")
    func watchBeforeStart() async throws {
        let server = try await ServerFixture.start(hold: .milliseconds(300))
        defer { server.removeData() }
        let contoso = try await server.tenant("contoso")
        let admin = try server.client(contoso.admin)
        let reader = try server.client(contoso.reader)
        _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "early@contoso.com")))
        let stream = try await reader.stream(
            MigrationServiceMethods.watchMigration, WatchMigrationRequest(identity: "early@contoso.com", untilFinished: true))
        let watch = Task {
            var seen: [MigrationStatus] = []
            for try await status in stream { seen.append(status) }
            return seen
        }
        // The watch is open and has nothing to say yet: it must not end while there is no migration.
        try await Task.sleep(for: .milliseconds(500))
        let started = try await admin.startMeetingMigration(StartMeetingMigrationRequest(identity: "early@contoso.com"))
        let seen = try await watch.value
        #expect(seen.first?.correlationId == started.correlationId, "\(seen)")
        #expect(seen.last?.state == .succeeded && seen.allSatisfy { $0.correlationId == started.correlationId })
        for client in [admin, reader] { await client.close() }
        try await server.stop()
    }

    @Test("Issue 16: one tenant's watches cannot take every watch: past its own limit it is refused, another tenant still watches")
    func perTenantLimit() async throws {
        let server = try await ServerFixture.start(hold: .seconds(3600), watchLimits: WatchLimits(total: 3, perTenant: 2))
        defer { server.removeData() }
        let alpha = try await server.tenant("alpha")
        let beta = try await server.tenant("beta")
        var streams: [Task<Void, any Error>] = []
        var clients: [MMSClient] = []
        /// How watches that should still run ended, to explain a place given back too early.
        let ended = EventLog()
        /// Opens a watch of `tenant`'s only user and waits for its first record (then it is counted).
        func open(_ token: String, _ user: String) async throws -> Task<Void, any Error> {
            let client = try server.client(token)
            clients.append(client)
            let stream = try await client.stream(MigrationServiceMethods.watchMigration, WatchMigrationRequest(identity: user))
            let (first, gotFirst) = AsyncStream<Void>.makeStream()
            let index = clients.count - 1
            let task = Task {
                defer { gotFirst.finish() }
                do {
                    for try await _ in stream { gotFirst.yield() }
                    ended.add("watch \(index) ended")
                } catch {
                    ended.add("watch \(index) failed: \(error)")
                    throw error
                }
            }
            for await _ in first { return task }
            try await task.value  // ended before a first record: its error
            throw RPCError(.internalError, "the watch ended without a record")
        }
        for (tokens, user) in [(alpha, "a@alpha.example"), (beta, "b@beta.example")] {
            let admin = try server.client(tokens.admin)
            _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: user)))
            _ = try await admin.startMeetingMigration(StartMeetingMigrationRequest(identity: user))
            await admin.close()
        }
        streams.append(try await open(alpha.reader, "a@alpha.example"))
        streams.append(try await open(alpha.admin, "a@alpha.example"))
        // Alpha's third, with either token, is refused for alpha's limit.
        let refused = await expectStatus(.resourceExhausted) { _ = try await open(alpha.reader, "a@alpha.example") }
        #expect(refused?.message.contains("this tenant already runs 2 watches") == true, "\(String(describing: refused)); \(ended.events)")
        // Beta still gets one; then the server's limit (3) is reached for everyone.
        streams.append(try await open(beta.reader, "b@beta.example"))
        let full = await expectStatus(.resourceExhausted) { _ = try await open(beta.reader, "b@beta.example") }
        #expect(full?.message.contains("the server already runs 3 watches") == true, "\(String(describing: full))")
        // Ending one of alpha's gives the place back.
        streams[0].cancel()
        await clients[0].close()
        #expect(try await eventually {
            do { streams.append(try await open(beta.reader, "b@beta.example")); return true } catch { return false }
        })
        for stream in streams { stream.cancel() }
        for client in clients { await client.close() }
        try await server.stop()
    }
}

/// Lines recorded from several tasks.
final class EventLog: Sendable {
    private let lines = Mutex<[String]>([])
    func add(_ line: String) { self.lines.withLock { $0.append(line) } }
    var events: [String] { self.lines.withLock { $0 } }
}
