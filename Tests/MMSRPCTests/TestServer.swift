import Logging
import MMSRPC
import MMSRPCClient
import MMSRPCServer
import MMSWire
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A real RPCServer on a free loopback port, for the length of one test.
struct TestServer {
    let server: RPCServer
    let port: Int
    let runTask: Task<Void, any Error>

    static func start(
        router: RPCRouter,
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, eventLoopThreads: 1)
        configure(&configuration)
        var logger = Logger(label: "test-server")
        logger.logLevel = .critical
        let server = RPCServer(configuration: configuration, router: router, logger: logger)
        let runTask = Task { try await server.run() }
        let address = try await server.listeningAddress()
        return TestServer(server: server, port: address.port!, runTask: runTask)
    }

    func client(timeout: Duration? = nil) -> RPCClient {
        RPCClient(configuration: ClientConfiguration(host: "127.0.0.1", port: self.port, defaultTimeout: timeout ?? .seconds(30)))
    }

    /// Starts a graceful shutdown and waits for the server to return.
    func stop() async throws {
        self.server.beginGracefulShutdown()
        try await self.runTask.value
    }
}

/// Methods the RPC tests serve, on raw bytes so the transport is tested on its own.
enum TestMethods {
    static let echo = UnaryMethod<RawMessage, RawMessage>(fullName: "test.Echo/Echo")
    static let fail = UnaryMethod<RawMessage, RawMessage>(fullName: "test.Echo/Fail")
    static let sleep = UnaryMethod<RawMessage, RawMessage>(fullName: "test.Echo/Sleep")
    static let metadata = UnaryMethod<RawMessage, RawMessage>(fullName: "test.Echo/Metadata")
    static let count = ServerStreamingMethod<RawMessage, RawMessage>(fullName: "test.Echo/Count")
    static let missing = UnaryMethod<RawMessage, RawMessage>(fullName: "test.Echo/Missing")
}

/// Records what handlers observed, for assertions from the test.
final class Observations: Sendable {
    private let state = Mutex<[String]>([])
    func record(_ event: String) { self.state.withLock { $0.append(event) } }
    var events: [String] { self.state.withLock { $0 } }

    /// Waits until `event` has been recorded, up to `timeout`.
    func wait(for event: String, timeout: Duration = .seconds(10)) async -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + timeout
        while clock.now < end {
            if self.events.contains(event) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}

extension RawMessage {
    var text: String { String(buffer: self.bytes) }
}

func makeTestRouter(_ observations: Observations = Observations()) -> RPCRouter {
    var router = RPCRouter()
    router.register(TestMethods.echo) { request, _ in request }
    router.register(TestMethods.fail) { request, _ in
        throw RPCError(.failedPrecondition, "refused: \(request.text)")
    }
    router.register(TestMethods.sleep) { request, _ in
        // The request says how many milliseconds to sleep; the reply is the same text.
        let millis = Int(request.text) ?? 0
        observations.record("started:\(request.text)")
        do {
            try await Task.sleep(for: .milliseconds(millis))
        } catch {
            observations.record("cancelled:\(request.text)")
            throw error
        }
        observations.record("finished:\(request.text)")
        return request
    }
    router.register(TestMethods.metadata) { _, context in
        let pairs = context.metadata.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        let deadline = context.deadline == nil ? "none" : "set"
        return RawMessage("\(pairs)|\(deadline)")
    }
    router.register(TestMethods.count) { request, responses, _ in
        let n = Int(request.text) ?? 0
        for index in 0..<n {
            try await responses.write(RawMessage("\(index)"))
        }
    }
    return router
}

/// Expects `body` to throw an RPCError with `code`, and returns it.
@discardableResult
func expectRPCError(_ code: StatusCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        Issue.record("expected \(code), but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as RPCError {
        #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected RPCError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
