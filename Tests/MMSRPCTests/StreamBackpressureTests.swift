import MMSRPC
import MMSRPCClient
import MMSRPCServer
import MMSWire
import NIOCore
import Synchronization
import Testing

/// A counter shared between a handler and the test.
final class SharedCount: Sendable {
    private let count = Atomic<Int>(0)
    func add() { self.count.add(1, ordering: .relaxed) }
    var value: Int { self.count.load(ordering: .relaxed) }
}

@Suite("§4 Flow control (docs/PROTOCOL.md): a server stream's caller holds a bounded buffer")
struct StreamBackpressureTests {
    static let big = ServerStreamingMethod<RawMessage, RawMessage>(fullName: "test.Echo/Big")

    /// Waits until `value` stops changing for a while (the pipe is full), and returns it.
    static func settled(_ value: () -> Int) async throws -> Int {
        var last = value()
        var stableRounds = 0
        while stableRounds < 20 {
            try await Task.sleep(for: .milliseconds(25))
            let now = value()
            stableRounds = now == last ? stableRounds + 1 : 0
            last = now
        }
        return last
    }

    @Test("§4 Flow control: a caller that stops reading a stream stops the server's writes; every response still arrives, in order")
    func slowReaderStopsTheServer() async throws {
        let written = SharedCount()
        let total = 2000
        let chunk = String(repeating: "x", count: 64 * 1024)
        var router = RPCRouter()
        router.register(Self.big) { _, responses, _ in
            for index in 0..<total {
                try await responses.write(RawMessage("\(index):\(chunk)"))
                written.add()
            }
        }
        let server = try await TestServer.start(router: router)
        // No deadline to speak of: 125 MiB through a debug build on a busy machine takes a while.
        let client = server.client(timeout: .seconds(3600))
        let stream = try await client.serverStreaming(Self.big, RawMessage(""))
        var iterator = stream.makeAsyncIterator()
        #expect(try await iterator.next()?.text.hasPrefix("0:") == true)

        // The caller reads nothing more: the server must stall long before the end (64 responses
        // buffered here, plus what the sockets hold), not push all 125 MiB into the client.
        let stalledAt = try await Self.settled { written.value }
        #expect(stalledAt < total / 2, "the server wrote \(stalledAt) of \(total) responses to a caller that reads none")

        var next = 1
        while let message = try await iterator.next() {
            #expect(message.text.hasPrefix("\(next):"))
            next += 1
        }
        #expect(next == total)
        #expect(written.value == total)
        await client.close()
        try await server.stop()
    }
}
