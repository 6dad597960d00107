import MMSRPC
@testable import MMSRPCClient
import MMSWire
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@Suite("Client connection handler")
struct ClientConnectionTests {
    @Test("a call handed to a connection that has closed fails as never sent, so the client makes it again")
    func notSentAfterClose() async throws {
        let channel = EmbeddedChannel()
        let ready = channel.eventLoop.makePromise(of: ConnectionSettings.self)
        ready.futureResult.whenComplete { _ in }
        let handler = ClientConnectionHandler(
            target: "test", ready: ready, maxMetadataSize: 8192, keepaliveInterval: nil, onRetire: { _ in }
        )
        try channel.pipeline.syncOperations.addHandler(handler)
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).get()
        _ = try channel.readOutbound(as: ByteBuffer.self)  // the preface
        try await channel.close().get()

        do {
            _ = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer, any Error>) in
                var pending = [PendingCall(id: 1, frame: ByteBuffer(string: "REQUEST"), waiter: .unary(continuation), timeout: nil, cancelled: CancellationFlag())]
                handler.drain(pending: &pending, cancels: [])
            }
            Issue.record("expected the call to fail")
        } catch let notSent as NotSent {
            #expect(notSent.error.code == .unavailable)
        }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "nothing was written for the call")
    }

    /// A handler on an embedded channel that has read the server's preface and SETTINGS.
    static func connectedHandler() async throws -> (EmbeddedChannel, ClientConnectionHandler) {
        let channel = EmbeddedChannel()
        let ready = channel.eventLoop.makePromise(of: ConnectionSettings.self)
        ready.futureResult.whenComplete { _ in }
        let handler = ClientConnectionHandler(
            target: "test", ready: ready, maxMetadataSize: 8192, keepaliveInterval: nil, onRetire: { _ in }
        )
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
        try channel.pipeline.syncOperations.addHandler(handler)
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).get()
        _ = try channel.readOutbound(as: ByteBuffer.self)  // our preface
        var server = ByteBuffer()
        let encoder = FrameEncoder()
        encoder.writePreface(into: &server)
        encoder.writeSettings(ConnectionSettings(maxFramePayload: 1 << 20, maxConcurrentCalls: 10, maxMetadataSize: 8192), into: &server)
        try channel.writeInbound(server)
        return (channel, handler)
    }

    /// Continuations of calls made by tasks, handed to the handler by the test itself, so the
    /// embedded channel is only ever used from the test's own code.
    final class Waiters: Sendable {
        private let state = Mutex<[UInt32: CheckedContinuation<ByteBuffer, any Error>]>([:])
        func put(_ id: UInt32, _ continuation: CheckedContinuation<ByteBuffer, any Error>) { self.state.withLock { $0[id] = continuation } }
        func take(_ id: UInt32) async -> CheckedContinuation<ByteBuffer, any Error> {
            while true {
                if let continuation = self.state.withLock({ $0.removeValue(forKey: id) }) { return continuation }
                await Task.yield()
            }
        }
    }

    /// Makes call `id` and hands it to the handler; the task's result is the call's outcome.
    static func call(_ id: UInt32, on handler: ClientConnectionHandler, waiters: Waiters) async -> Task<ByteBuffer, any Error> {
        let task = Task { try await withCheckedThrowingContinuation { waiters.put(id, $0) } }
        let continuation = await waiters.take(id)
        var request = ByteBuffer()
        _ = request.reserveFrameHeader()
        try! request.completeFrameHeader(at: 0, type: .request, callID: 0)
        var pending = [PendingCall(id: id, frame: request, waiter: .unary(continuation), timeout: nil, cancelled: CancellationFlag())]
        handler.drain(pending: &pending, cancels: [])
        return task
    }

    @Test("§7 GOAWAY: calls above the server's last call id fail as not sent (made again elsewhere); the others are answered")
    func goAwayLastCallID() async throws {
        let (channel, handler) = try await Self.connectedHandler()
        let waiters = Waiters()
        let first = await Self.call(1, on: handler, waiters: waiters)
        let second = await Self.call(2, on: handler, waiters: waiters)
        // Both REQUESTs written, their ids filled in.
        var written: [UInt32] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            written.append(buffer.getInteger(at: buffer.readerIndex + 6, as: UInt32.self)!)
        }
        #expect(written == [1, 2])

        var goAway = ByteBuffer()
        FrameEncoder().writeGoAway(GoAwayPayload(code: .noError, reason: "shutting down", lastCallID: 1), into: &goAway)
        try channel.writeInbound(goAway)
        guard case .failure(let error) = await second.result, let notSent = error as? NotSent else {
            Issue.record("call 2 should have failed as not sent")
            return
        }
        #expect(notSent.error.code == .unavailable)
        #expect(notSent.error.message.contains("last call id is 1"))

        var response = ByteBuffer()
        try FrameEncoder().writeFrame(Frame(type: .response, flags: .endOK, callID: 1, payload: ByteBuffer(string: "ok")), into: &response)
        try channel.writeInbound(response)
        guard case .success(let payload) = await first.result else {
            Issue.record("call 1 should have been answered")
            return
        }
        #expect(String(buffer: payload) == "ok")
    }

    @Test("§7 PING: a server PING that is not 8 bytes gets GOAWAY PROTOCOL_ERROR, not a PONG")
    func badPingFromServer() async throws {
        let (channel, _) = try await Self.connectedHandler()
        var ping = ByteBuffer()
        try FrameEncoder().writeFrame(Frame(type: .ping, callID: 0, payload: ByteBuffer(bytes: [1, 2, 3])), into: &ping)
        try channel.writeInbound(ping)
        var out = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let header = out.readMultipleIntegers(as: (UInt32, UInt8, UInt8, UInt32).self)
        #expect(header.map { FrameType(rawValue: $0.1) } == .goAway)
        let goAway = try out.readGoAwayPayload()
        #expect(goAway.code == .protocolError)
        #expect(goAway.reason.contains("3 bytes, not 8"))
    }
}
