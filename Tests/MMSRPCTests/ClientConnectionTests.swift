import MMSRPC
@testable import MMSRPCClient
import MMSWire
import NIOCore
import NIOEmbedded
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
                handler.drain(
                    pending: [PendingCall(id: 1, frame: ByteBuffer(string: "REQUEST"), waiter: .unary(continuation), timeout: nil, cancelled: CancellationFlag())],
                    cancels: []
                )
            }
            Issue.record("expected the call to fail")
        } catch let notSent as NotSent {
            #expect(notSent.error.code == .unavailable)
        }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "nothing was written for the call")
    }
}
