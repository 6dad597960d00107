import MMSRPC
import MMSRPCClient
import MMSRPCServer
import MMSWire
import NIOCore
import Synchronization
import Testing

/// Counts how often each request ran, across servers.
final class RunCounts: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func ran(_ key: String) { self.counts.withLock { $0[key, default: 0] += 1 } }
    var total: Int { self.counts.withLock { $0.values.reduce(0, +) } }
    var snapshot: [String: Int] { self.counts.withLock { $0 } }
}

@Suite("§7 GOAWAY last call id (docs/PROTOCOL.md): calls above it did not run and are made again")
struct GoAwayRetryTests {
    static let record = UnaryMethod<RawMessage, RawMessage>(fullName: "test.Echo/Record")

    static func router(_ counts: RunCounts, server: String) -> RPCRouter {
        var router = RPCRouter()
        router.register(Self.record) { request, _ in
            counts.ran(request.text)
            return RawMessage("\(server):\(request.text)")
        }
        return router
    }

    @Test("§7 GOAWAY: of many pipelined calls cut by a graceful shutdown, each is answered once: by the old server, or made again on the new one")
    func pipelinedCallsSurviveShutdown() async throws {
        let counts = RunCounts()
        let first = try await TestServer.start(router: Self.router(counts, server: "first")) {
            $0.limits.maxConcurrentCallsPerConnection = 100_000
        }
        let port = first.port
        let client = first.client(timeout: .seconds(600))
        let total = 10_000
        let submitted = SharedCount()
        let results = Task {
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<total {
                    group.addTask {
                        submitted.add()
                        return (index, try await client.unary(Self.record, RawMessage("\(index)")).text)
                    }
                }
                var answers: [Int: String] = [:]
                for try await (index, text) in group { answers[index] = text }
                return answers
            }
        }
        // Mid-stream: once some calls have run, the first server shuts down and a second one takes its port.
        // Every call made before the cut (a call first made after it would meet a closed port).
        while counts.total < 500 || submitted.value < total { try await Task.sleep(for: .milliseconds(1)) }
        try await Task.sleep(for: .milliseconds(20))
        first.server.beginGracefulShutdown()
        var second: TestServer?
        while second == nil {
            second = try? await TestServer.start(router: Self.router(counts, server: "second")) {
                $0.port = port
                $0.limits.maxConcurrentCallsPerConnection = 100_000
            }
            if second == nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        let answers = try await results.value
        #expect(answers.count == total)
        for index in 0..<total {
            let answer = try #require(answers[index])
            #expect(answer == "first:\(index)" || answer == "second:\(index)")
        }
        let runs = counts.snapshot
        #expect(runs.count == total)
        #expect(runs.values.allSatisfy { $0 == 1 }, "calls run more than once: \(runs.filter { $0.value > 1 }.keys.sorted().prefix(10))")
        // How many were made again depends on how much the first server had read at the cut; run
        // alone it is thousands, but alongside other tests it can read everything first, so it is
        // not asserted here (known gap: a deterministic cut needs the connection state machine).
        try await first.runTask.value
        try await second!.stop()
        await client.close()
    }

    @Test("§7 GOAWAY: a client of protocol 1.1 is told the last call id; a 1.0 client gets the 1.0 layout")
    func lastCallIDOnlyForNewClients() async throws {
        for minor: UInt8 in [0, 1] {
            let server = try await TestServer.start(router: makeTestRouter()) { $0.timeouts.idle = .milliseconds(300) }
            let request = [UInt8].request(callID: 5, method: TestMethods.echo.fullName, message: Array("x".utf8))
            let (received, closed) = try await RawSocket.exchange(port: server.port, send: .preface(major: 1, minor: minor) + request, timeout: .seconds(5))
            #expect(closed)
            let frames = try RawSocket.frames(in: received)
            let goAway = try #require(frames.last { $0.type == .goAway })
            var payload = goAway.payload
            let decoded = try payload.readGoAwayPayload()
            #expect(decoded.code == .idleTimeout)
            #expect(decoded.lastCallID == (minor == 0 ? nil : 5))
            try await server.stop()
        }
    }
}
