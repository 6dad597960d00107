import MMSRPC
import MMSWire
import NIOCore
import MMSRPCClient
import MMSRPCServer
import Testing

@Suite("Deadlines, cancellation and graceful shutdown")
struct CancellationTests {
    @Test("a call past its deadline ends DEADLINE_EXCEEDED and its handler observes cancellation")
    func deadlineExceeded() async throws {
        let observations = Observations()
        let server = try await TestServer.start(router: makeTestRouter(observations))
        let client = server.client()
        await expectRPCError(.deadlineExceeded) {
            _ = try await client.unary(TestMethods.sleep, RawMessage("5000"), timeout: .milliseconds(100))
        }
        #expect(await observations.wait(for: "cancelled:5000"))
        #expect(!observations.events.contains("finished:5000"))
        await client.close()
        try await server.stop()
    }

    @Test("deadlines of many calls on one connection each end their own call, the earlier first, whatever the order they came in")
    func manyDeadlines() async throws {
        let observations = Observations()
        let server = try await TestServer.start(router: makeTestRouter(observations))
        let client = server.client()
        let clock = ContinuousClock()
        let start = clock.now
        // The long deadline is far enough that a loaded machine cannot make the quick call's
        // answer look late; an implementation that waits for the first-armed deadline fails.
        let long = Task { try await client.unary(TestMethods.sleep, RawMessage("5001"), timeout: .milliseconds(4000)) }
        #expect(await observations.wait(for: "started:5001"))
        let quick = Task { try await client.unary(TestMethods.sleep, RawMessage("5002"), timeout: .milliseconds(100)) }
        let finished = Task { try await client.unary(TestMethods.sleep, RawMessage("10"), timeout: .milliseconds(200)) }
        await expectRPCError(.deadlineExceeded) { _ = try await quick.value }
        // Told by order, not by a time a loaded machine could stretch: the quick call has ended
        // while the long call still runs on the server (it is cancelled only at its own deadline).
        #expect(!observations.events.contains("cancelled:5001"), "the later call's earlier deadline was honoured first")
        _ = start
        #expect(try await finished.value.text == "10")
        await expectRPCError(.deadlineExceeded) { _ = try await long.value }
        #expect(await observations.wait(for: "cancelled:5001"))
        #expect(await observations.wait(for: "cancelled:5002"))
        await client.close()
        try await server.stop()
    }

    @Test("the server enforces the deadline itself: it answers DEADLINE_EXCEEDED on the wire")
    func serverSideDeadline() async throws {
        let observations = Observations()
        let server = try await TestServer.start(router: makeTestRouter(observations))
        func request(_ id: UInt32, timeout: UInt64, text: String) -> [UInt8] {
            var payload = ByteBuffer()
            try! payload.writeRequestHead(RequestHead(method: TestMethods.sleep.fullName, timeoutMicroseconds: timeout))
            payload.writeString(text)
            return .frame(type: FrameType.request.rawValue, callID: id, payload: payload.readBytes(length: payload.readableBytes)!)
        }
        // Call 8 has a long deadline and comes first; call 9's shorter one must still be honoured on time.
        let bytes = [UInt8].preface() + request(8, timeout: 3_000_000, text: "5001") + request(9, timeout: 50_000, text: "5000")
        let (received, _) = try await RawSocket.exchange(port: server.port, send: bytes, timeout: .milliseconds(600))
        let frames = try RawSocket.frames(in: received)
        var status = try #require(frames.first { $0.callID == 9 && $0.type == .status }).payload
        let decoded = try status.readStatusPayload(maxMetadataSize: 8192)
        #expect(StatusCode(rawValue: decoded.code) == .deadlineExceeded)
        #expect(decoded.message.contains("50 ms"))
        #expect(!frames.contains { $0.callID == 8 }, "call 8 is still within its deadline")
        #expect(await observations.wait(for: "cancelled:5000"))
        try await server.stop()
    }

    @Test("cancelling the calling task cancels the handler on the server")
    func clientCancel() async throws {
        let observations = Observations()
        let server = try await TestServer.start(router: makeTestRouter(observations))
        let client = server.client()
        let call = Task {
            try await client.unary(TestMethods.sleep, RawMessage("10000"))
        }
        #expect(await observations.wait(for: "started:10000"))
        call.cancel()
        await expectRPCError(.cancelled) { _ = try await call.value }
        #expect(await observations.wait(for: "cancelled:10000"))
        // The connection goes on serving.
        #expect(try await client.unary(TestMethods.echo, RawMessage("next")).text == "next")
        await client.close()
        try await server.stop()
    }

    @Test("a call whose task is cancelled before it is sent ends CANCELLED and never reaches the server")
    func cancelledBeforeSending() async throws {
        let observations = Observations()
        let server = try await TestServer.start(router: makeTestRouter(observations))
        let client = server.client()
        _ = try await client.unary(TestMethods.echo, RawMessage("connect first"))
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.unary(TestMethods.sleep, RawMessage("1234"))
        }
        await expectRPCError(.cancelled) { _ = try await call.value }
        #expect(try await client.unary(TestMethods.sleep, RawMessage("1")).text == "1")
        #expect(!observations.events.contains { $0.hasSuffix(":1234") })
        await client.close()
        try await server.stop()
    }

    @Test("graceful shutdown lets calls in flight finish and refuses new ones with UNAVAILABLE")
    func gracefulShutdown() async throws {
        let observations = Observations()
        let server = try await TestServer.start(router: makeTestRouter(observations))
        let client = server.client()
        let inFlight = Task { try await client.unary(TestMethods.sleep, RawMessage("400")) }
        #expect(await observations.wait(for: "started:400"))
        server.server.beginGracefulShutdown()
        try await Task.sleep(for: .milliseconds(50))
        await expectRPCError(.unavailable) {
            _ = try await client.unary(TestMethods.echo, RawMessage("late"))
        }
        #expect(try await inFlight.value.text == "400")
        #expect(observations.events.contains("finished:400"))
        try await server.runTask.value
        await client.close()
    }

    @Test("a graceful shutdown ends open server streams at once with UNAVAILABLE, without waiting for the grace period")
    func shutdownEndsStreams() async throws {
        var router = makeTestRouter()
        let endless = ServerStreamingMethod<RawMessage, RawMessage>(fullName: "test.Echo/Endless")
        router.register(endless) { _, responses, _ in
            while true {
                try await responses.write(RawMessage("tick"))
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let server = try await TestServer.start(router: router) { $0.timeouts.shutdownGracePeriod = .seconds(30) }
        let client = server.client()
        let stream = try await client.serverStreaming(endless, RawMessage(""))
        var iterator = stream.makeAsyncIterator()
        #expect(try await iterator.next()?.text == "tick")
        let clock = ContinuousClock()
        let start = clock.now
        server.server.beginGracefulShutdown()
        let error = await expectRPCError(.unavailable) {
            while try await iterator.next() != nil {}
        }
        #expect(error?.message.contains("shutting down") == true)
        try await server.runTask.value
        #expect(clock.now - start < .seconds(10))
        await client.close()
    }

    @Test("calls still running when the grace period ends are cut off with UNAVAILABLE")
    func gracePeriodEnds() async throws {
        let observations = Observations()
        let server = try await TestServer.start(router: makeTestRouter(observations)) {
            $0.timeouts.shutdownGracePeriod = .milliseconds(200)
        }
        let client = server.client()
        let inFlight = Task { try await client.unary(TestMethods.sleep, RawMessage("20000")) }
        #expect(await observations.wait(for: "started:20000"))
        server.server.beginGracefulShutdown()
        let error = await expectRPCError(.unavailable) { _ = try await inFlight.value }
        #expect(error?.message.contains("grace period") == true)
        #expect(await observations.wait(for: "cancelled:20000"))
        try await server.runTask.value
        await client.close()
    }

    @Test("an idle connection is closed with a GOAWAY IDLE_TIMEOUT")
    func idleTimeout() async throws {
        let server = try await TestServer.start(router: makeTestRouter()) { $0.timeouts.idle = .milliseconds(200) }
        let (received, closed) = try await RawSocket.exchange(port: server.port, send: .preface(), timeout: .seconds(3))
        var payload = try #require(try RawSocket.frames(in: received).last { $0.type == .goAway }).payload
        #expect(try payload.readGoAwayPayload().code == .idleTimeout)
        #expect(closed)
        try await server.stop()
    }

    @Test("the server answers a PING with a PONG carrying the same bytes")
    func pingPong() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        let ping = [UInt8].frame(type: FrameType.ping.rawValue, callID: 0, payload: [1, 2, 3, 4, 5, 6, 7, 8])
        let (received, _) = try await RawSocket.exchange(port: server.port, send: .preface() + ping, timeout: .milliseconds(300))
        let pong = try #require(try RawSocket.frames(in: received).first { $0.type == .pong })
        #expect(pong.payload == ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8]))
        try await server.stop()
    }

    @Test("a peer that does not answer keepalive pings is closed with KEEPALIVE_TIMEOUT")
    func keepaliveTimeout() async throws {
        let server = try await TestServer.start(router: makeTestRouter()) {
            $0.timeouts.keepaliveInterval = .milliseconds(100)
            $0.timeouts.keepaliveTimeout = .milliseconds(200)
        }
        let (received, closed) = try await RawSocket.exchange(port: server.port, send: .preface(), timeout: .seconds(3))
        let frames = try RawSocket.frames(in: received)
        #expect(frames.contains { $0.type == .ping })
        var payload = try #require(frames.last { $0.type == .goAway }).payload
        #expect(try payload.readGoAwayPayload().code == .keepaliveTimeout)
        #expect(closed)
        try await server.stop()
    }
}
