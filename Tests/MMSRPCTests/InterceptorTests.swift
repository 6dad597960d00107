import Logging
import MMSRPC
import MMSRPCClient
import MMSRPCServer
import MMSWire
import NIOCore
import Synchronization
import Testing

/// Issue 16: interceptors run around every call, before its request is decoded, and the error
/// boundary is the one place a handler's error becomes a status.
@Suite("Interceptors and the error boundary")
struct InterceptorTests {
    /// Refuses every call whose metadata has no `pass`, and records what it saw.
    struct Gate: ServerInterceptor {
        let seen: Observations
        func intercept<Output: Sendable>(_ context: ServerContext, next: (ServerContext) async throws -> Output) async throws -> Output {
            self.seen.record("gate:\(context.method)")
            guard context.metadata["pass"] != nil else { throw RPCError(.unauthenticated, "no pass") }
            return try await next(context)
        }
    }

    /// Records its place in the chain.
    struct Mark: ServerInterceptor {
        let name: String
        let seen: Observations
        func intercept<Output: Sendable>(_ context: ServerContext, next: (ServerContext) async throws -> Output) async throws -> Output {
            self.seen.record("enter:\(self.name)")
            defer { self.seen.record("leave:\(self.name)") }
            return try await next(context)
        }
    }

    /// A message whose decoding records that it ran, to show a refused call is never decoded.
    struct Tattletale: WireMessage {
        static let decodes = Atomic<Int>(0)
        static func decode(from buffer: ByteBuffer) throws(RPCError) -> Tattletale {
            Self.decodes.wrappingAdd(1, ordering: .relaxed)
            throw RPCError(.invalidArgument, "malformed")
        }
        func encode(into buffer: inout ByteBuffer) throws(RPCError) {}
    }

    /// An error that is none of ours, with text a caller must not see.
    struct LeakyError: Error, CustomStringConvertible {
        var description: String { "open /srv/secret/tenant-alpha.sqlite: permission denied" }
    }

    @Test("Issue 16: interceptors run outermost first, before the request is decoded; a refusal never reaches the decoder")
    func orderAndRefusalBeforeDecode() async throws {
        let seen = Observations()
        var router = RPCRouter(interceptors: [Mark(name: "outer", seen: seen), Gate(seen: seen), Mark(name: "inner", seen: seen)])
        let decoding = UnaryMethod<Tattletale, RawMessage>(fullName: "test.Gate/Decode")
        router.register(decoding) { _, _ in RawMessage("never") }
        router.register(TestMethods.echo) { request, _ in
            seen.record("handler")
            return request
        }
        router.register(TestMethods.count) { request, responses, _ in
            seen.record("stream")
            try await responses.write(request)
        }
        let server = try await TestServer.start(router: router)
        let client = server.client()

        let before = Tattletale.decodes.load(ordering: .relaxed)
        await expectRPCError(.unauthenticated) { _ = try await client.unary(decoding, Tattletale(), metadata: Metadata()) }
        #expect(Tattletale.decodes.load(ordering: .relaxed) == before, "the refused request was decoded")
        await expectRPCError(.invalidArgument) { _ = try await client.unary(decoding, Tattletale(), metadata: ["pass": "1"]) }
        #expect(Tattletale.decodes.load(ordering: .relaxed) == before + 1)

        let echoed = try await client.unary(TestMethods.echo, RawMessage("hi"), metadata: ["pass": "1"])
        #expect(echoed.text == "hi")
        let events = seen.events.filter { !$0.hasPrefix("gate:test.Gate") && !$0.contains("Decode") }
        let echo = Array(events.drop { $0 != "enter:outer" }.suffix(6))
        #expect(echo == ["enter:outer", "gate:test.Echo/Echo", "enter:inner", "handler", "leave:inner", "leave:outer"], "\(seen.events)")

        // A server stream goes through the same chain.
        await expectRPCError(.unauthenticated) {
            let stream = try await client.serverStreaming(TestMethods.count, RawMessage("1"), metadata: Metadata())
            for try await _ in stream {}
        }
        #expect(!seen.events.contains("stream"))
        let stream = try await client.serverStreaming(TestMethods.count, RawMessage("one"), metadata: ["pass": "1"])
        var received: [String] = []
        for try await message in stream { received.append(message.text) }
        #expect(received == ["one"] && seen.events.contains("stream"))
        await client.close()
        try await server.stop()
    }

    @Test("Issue 16: an unknown error becomes INTERNAL with an error id that is logged with the error; typed errors keep their codes")
    func errorBoundary() async throws {
        let log = CapturedLog()
        let logger = Logger(label: "boundary") { _ in log }
        var router = RPCRouter(interceptors: [ErrorBoundary(logger: logger)])
        router.register(TestMethods.echo) { _, _ in throw LeakyError() }
        router.register(TestMethods.fail) { request, _ in throw RPCError(.failedPrecondition, "refused: \(request.text)") }
        router.register(TestMethods.sleep) { _, _ in throw CancellationError() }
        router.register(TestMethods.count) { _, _, _ in throw LeakyError() }
        let server = try await TestServer.start(router: router)
        let client = server.client()

        let error = await expectRPCError(.internalError) { _ = try await client.unary(TestMethods.echo, RawMessage("x"), metadata: Metadata()) }
        let message = error?.message ?? ""
        #expect(!message.contains("secret") && !message.contains("/srv"), "the caller saw the error's text: \(message)")
        let id = try #require(error?.metadata["mms-error-id"], "no error id in the status")
        #expect(message.contains(id) && id.count == 16)
        let line = try #require(log.lines.first { $0.contains(id) }, "the error id is not in the log: \(log.lines)")
        #expect(line.contains("tenant-alpha.sqlite") && line.contains("test.Echo/Echo"))

        let refused = await expectRPCError(.failedPrecondition) { _ = try await client.unary(TestMethods.fail, RawMessage("no"), metadata: Metadata()) }
        #expect(refused?.message == "refused: no")
        await expectRPCError(.cancelled) { _ = try await client.unary(TestMethods.sleep, RawMessage("1"), metadata: Metadata()) }
        let streamed = await expectRPCError(.internalError) {
            let stream = try await client.serverStreaming(TestMethods.count, RawMessage("1"), metadata: Metadata())
            for try await _ in stream {}
        }
        #expect(streamed?.message.contains("secret") == false)
        await client.close()
        try await server.stop()
    }

    @Test("Issue 16: without an error boundary the transport still never sends an unknown error's text")
    func transportNeverLeaks() async throws {
        var router = RPCRouter()
        router.register(TestMethods.echo) { _, _ in throw LeakyError() }
        let server = try await TestServer.start(router: router)
        let client = server.client()
        let error = await expectRPCError(.internalError) { _ = try await client.unary(TestMethods.echo, RawMessage("x"), metadata: Metadata()) }
        #expect(error?.message.contains("secret") == false)
        await client.close()
        try await server.stop()
    }
}

/// A log handler that keeps every line, for assertions.
final class CapturedLog: LogHandler, @unchecked Sendable {
    private let storage = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var lines: [String] { self.storage.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).merging(self.metadata) { new, _ in new }
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        self.storage.withLock { $0.append("\(event.level) \(event.message) \(fields)") }
    }
}
