import MMSRPC
import MMSRPCClient
@testable import MMSRPCServer
import MMSWire
import NIOCore
import NIOPosix
import Testing

@Suite("Connection lifetimes: a closed connection's state is freed")
struct ConnectionLifetimeTests {
    /// Issue 16: every accepted-and-closed connection left ~1.5 KB behind (its handler and the
    /// pipeline's context held each other). The server counts its live connection handlers;
    /// after the connections close the count must come back to 0.
    @Test("connections that close, after a preface only or after calls, leave no connection state behind")
    func closedConnectionsAreFreed() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        let live = server.server.liveConnectionHandlers

        // One held open: the counter does count.
        let held = try await RawSocket.open(port: server.port)
        try await held.send(.preface())
        try await held.waitForBytes(WireProtocol.prefaceLength)
        #expect(live.value == 1)

        // Preface-only connections, closed by the client.
        for _ in 0..<30 {
            let connection = try await RawSocket.open(port: server.port)
            try await connection.send(.preface())
            try await connection.waitForBytes(WireProtocol.prefaceLength)
            try await connection.close()
        }
        // Connections that made calls, closed by the client.
        for index in 0..<10 {
            let client = server.client()
            let reply = try await client.unary(TestMethods.echo, RawMessage("call \(index)"))
            #expect(reply.text == "call \(index)")
            await client.close()
        }
        // Connections the server closed (a bad preface).
        for _ in 0..<10 {
            _ = try await RawSocket.exchange(port: server.port, send: Array("XXXXXXXX".utf8))
        }
        try await held.close()

        #expect(await Self.eventually { live.value == 0 }, "\(live.value) connection handler(s) still alive after every connection closed")
        try await server.stop()
    }

    /// Polls `condition` until it holds or 10 s pass (closing is asynchronous on the server's loop).
    static func eventually(_ condition: () -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + .seconds(10)
        while clock.now < end {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
