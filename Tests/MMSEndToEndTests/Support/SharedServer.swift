import Testing

/// The server a suite's tests share, started once around the whole suite.
enum SharedServer {
    @TaskLocal static var current: ServerProcess?

    /// The shared server of the running suite.
    static func get() throws -> ServerProcess {
        guard let current else { throw Failure("no shared server: put the suite under .sharedServer") }
        return current
    }
}

/// Starts one `mms-server` (hold 0) before a suite's tests and stops it after them all.
struct SharedServerTrait: SuiteTrait, TestScoping {
    var settings = ServerProcess.Settings()

    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try await ServerProcess.start(settings)
        do {
            try await SharedServer.$current.withValue(server) { try await function() }
        } catch {
            await server.tearDown()
            throw error
        }
        await server.tearDown()
    }
}

extension Trait where Self == SharedServerTrait {
    /// One server for the whole suite, with migrations run as soon as they are queued.
    static var sharedServer: Self { SharedServerTrait() }

    /// One server for the whole suite that holds each queued migration for `hold` before it runs (M1).
    static func sharedServer(hold: String) -> Self {
        var settings = ServerProcess.Settings()
        settings.hold = hold
        return SharedServerTrait(settings: settings)
    }
}
