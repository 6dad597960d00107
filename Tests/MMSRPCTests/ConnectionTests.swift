import MMSMessages
import MMSRPC
import MMSRPCClient
import MMSRPCServer
import MMSWire
import NIOCore
import Testing

@Suite("Connection rules: preface, framing errors, limits")
struct ConnectionTests {
    @Test("an HTTP client is answered with a plain HTTP 400 that says what this port speaks")
    func httpPeerRejected() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        let (received, closed) = try await RawSocket.exchange(port: server.port, send: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 400 Bad Request"))
        #expect(text.contains("MMS RPC protocol"))
        #expect(closed)
        try await server.stop()
    }

    @Test("a wrong magic gets a GOAWAY BAD_PREFACE and the connection is closed")
    func badMagic() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        let (received, closed) = try await RawSocket.exchange(port: server.port, send: Array("XXXXXXXX".utf8))
        #expect(Array(received.prefix(6)) == Array("MMSRPC".utf8))
        let frames = try RawSocket.frames(in: received)
        var payload = try #require(frames.last).payload
        let goAway = try payload.readGoAwayPayload()
        #expect(goAway.code == .badPreface)
        #expect(goAway.reason.contains("XXXXXXXX"))
        #expect(closed)
        try await server.stop()
    }

    @Test("a client of another major version is told both versions in a GOAWAY UNSUPPORTED_VERSION")
    func versionMismatch() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        let (received, closed) = try await RawSocket.exchange(port: server.port, send: .preface(major: 2, minor: 0))
        let frames = try RawSocket.frames(in: received)
        var payload = try #require(frames.last).payload
        let goAway = try payload.readGoAwayPayload()
        #expect(goAway.code == .unsupportedVersion)
        #expect(goAway.reason.contains("2.0") && goAway.reason.contains("\(WireProtocol.version)"))
        #expect(closed)
        try await server.stop()
    }

    @Test("a frame over the size limit closes the connection with FRAME_TOO_LARGE before its payload is read")
    func oversizedFrame() async throws {
        let server = try await TestServer.start(router: makeTestRouter()) { $0.limits.maxFramePayload = 1024 }
        // Announce 1 GiB but send only the header: the server must not wait for the payload.
        let bytes = [UInt8].preface() + .frame(type: FrameType.request.rawValue, callID: 1, payload: [], declaredLength: 1 << 30)
        let (received, closed) = try await RawSocket.exchange(port: server.port, send: bytes)
        let frames = try RawSocket.frames(in: received)
        var payload = try #require(frames.last { $0.type == .goAway }).payload
        let goAway = try payload.readGoAwayPayload()
        #expect(goAway.code == .frameTooLarge)
        #expect(goAway.reason.contains("1024"))
        #expect(closed)
        try await server.stop()
    }

    @Test("an unknown frame type is a protocol error named in the GOAWAY")
    func unknownFrameType() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        let bytes = [UInt8].preface() + .frame(type: 0x42, callID: 1, payload: [1, 2, 3])
        let (received, closed) = try await RawSocket.exchange(port: server.port, send: bytes)
        var payload = try #require(try RawSocket.frames(in: received).last { $0.type == .goAway }).payload
        let goAway = try payload.readGoAwayPayload()
        #expect(goAway.code == .protocolError)
        #expect(goAway.reason.contains("0x42"))
        #expect(closed)
        try await server.stop()
    }

    @Test("a malformed request head fails that call only; the next call on the connection works")
    func malformedHeadFailsOneCall() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        // Call 1: a method name length that runs past the end of the frame. Call 2: a good echo.
        let bad = [UInt8].frame(type: FrameType.request.rawValue, callID: 1, payload: [0xFF, 0xFF, 0x41])
        let good = [UInt8].request(callID: 2, method: TestMethods.echo.fullName, message: Array("ok".utf8))
        let (received, closed) = try await RawSocket.exchange(port: server.port, send: .preface() + bad + good, timeout: .milliseconds(500))
        #expect(!closed)
        let frames = try RawSocket.frames(in: received)
        var status = try #require(frames.first { $0.callID == 1 && $0.type == .status }).payload
        let payload = try status.readStatusPayload(maxMetadataSize: 8192)
        #expect(StatusCode(rawValue: payload.code) == .invalidArgument)
        #expect(payload.message.contains("method name"))
        let reply = try #require(frames.first { $0.callID == 2 && $0.type == .response })
        #expect(reply.flags.contains(.endOK))
        #expect(String(buffer: reply.payload) == "ok")
        try await server.stop()
    }

    @Test("metadata over the limit is answered RESOURCE_EXHAUSTED")
    func metadataTooLarge() async throws {
        let server = try await TestServer.start(router: makeTestRouter()) { $0.limits.maxMetadataSize = 100 }
        let client = server.client()
        let error = await expectRPCError(.resourceExhausted) {
            _ = try await client.unary(TestMethods.metadata, RawMessage(""), metadata: ["big": String(repeating: "x", count: 200)])
        }
        #expect(error?.message.contains("100 bytes") == true)
        #expect(try await client.unary(TestMethods.echo, RawMessage("after")).text == "after")
        await client.close()
        try await server.stop()
    }

    @Test("calls over the per-connection limit are answered RESOURCE_EXHAUSTED, the others complete")
    func tooManyCalls() async throws {
        let server = try await TestServer.start(router: makeTestRouter()) { $0.limits.maxConcurrentCallsPerConnection = 4 }
        let client = server.client()
        let outcomes = Observations()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    do {
                        _ = try await client.unary(TestMethods.sleep, RawMessage("3000"))
                        outcomes.record("ok")
                    } catch let error as RPCError {
                        outcomes.record(error.code.name)
                    } catch {
                        outcomes.record("other")
                    }
                }
            }
        }
        #expect(outcomes.events.filter { $0 == "ok" }.count == 4)
        #expect(outcomes.events.filter { $0 == "RESOURCE_EXHAUSTED" }.count == 6)
        await client.close()
        try await server.stop()
    }

    @Test("a connection over the server's limit is refused with RESOURCE_EXHAUSTED")
    func tooManyConnections() async throws {
        let server = try await TestServer.start(router: makeTestRouter()) { $0.limits.maxConnections = 1 }
        let first = server.client()
        #expect(try await first.unary(TestMethods.echo, RawMessage("1")).text == "1")
        let second = server.client()
        let error = await expectRPCError(.resourceExhausted) {
            _ = try await second.unary(TestMethods.echo, RawMessage("2"))
        }
        #expect(error?.message.contains("limit of 1 connections") == true)
        await first.close()
        await second.close()
        try await server.stop()
    }

    @Test("malformed protobuf is answered INVALID_ARGUMENT naming the message, and the connection stays usable")
    func malformedProtobuf() async throws {
        struct Health: HealthHandler {
            func check(_ request: HealthCheckRequest, context: ServerContext) async throws -> HealthCheckResponse {
                HealthCheckResponse(status: .serving)
            }
        }
        var router = RPCRouter()
        Health().register(on: &router)
        let server = try await TestServer.start(router: router)
        let client = server.client()
        // Field 1 declared as a 10-byte string with only 2 bytes present.
        let raw = UnaryMethod<RawMessage, RawMessage>(fullName: HealthMethods.check.fullName)
        let error = await expectRPCError(.invalidArgument) {
            _ = try await client.unary(raw, RawMessage(ByteBuffer(bytes: [0x0A, 0x0A, 0x41, 0x42])))
        }
        #expect(error?.message.contains("mms.v1.HealthCheckRequest") == true)
        let reply = try await client.unary(HealthMethods.check, HealthCheckRequest())
        #expect(reply.status == .serving)
        await client.close()
        try await server.stop()
    }

    @Test("a client reconnects after the server restarts on the same port")
    func reconnect() async throws {
        let first = try await TestServer.start(router: makeTestRouter())
        let port = first.port
        let client = first.client()
        #expect(try await client.unary(TestMethods.echo, RawMessage("a")).text == "a")
        try await first.stop()
        await expectRPCError(.unavailable) {
            _ = try await client.unary(TestMethods.echo, RawMessage("down"))
        }
        let second = try await TestServer.start(router: makeTestRouter()) { $0.port = port }
        #expect(try await client.unary(TestMethods.echo, RawMessage("b")).text == "b")
        await client.close()
        try await second.stop()
    }

    @Test("a client with no server gets UNAVAILABLE with the address and a hint")
    func noServer() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        let port = server.port
        try await server.stop()
        let client = RPCClient(configuration: ClientConfiguration(host: "127.0.0.1", port: port))
        let error = await expectRPCError(.unavailable) {
            _ = try await client.unary(TestMethods.echo, RawMessage("x"))
        }
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
        #expect(error?.message.contains("mms-server") == true)
        await client.close()
    }

    @Test("a second server on a port in use fails with a message naming the address and the cause")
    func portInUse() async throws {
        let first = try await TestServer.start(router: makeTestRouter())
        do {
            _ = try await TestServer.start(router: makeTestRouter()) { $0.port = first.port }
            Issue.record("the second server should not listen")
        } catch let error as ListenError {
            #expect(error.description.contains("127.0.0.1:\(first.port)"))
            #expect(error.description.contains("already in use"))
        }
        try await first.stop()
    }
}
