import MMSRPC
import MMSRPCClient
import MMSRPCServer
import Synchronization
import Testing

@Suite("Calls over real TCP on loopback")
struct CallTests {
    @Test("a unary call returns its response")
    func unaryEcho() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        let client = server.client()
        let reply = try await client.unary(TestMethods.echo, RawMessage("héllo 👋"))
        #expect(reply.text == "héllo 👋")
        await client.close()
        try await server.stop()
    }

    @Test("a thousand concurrent calls on one connection all get their own response, out of order")
    func thousandConcurrentCalls() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        let client = server.client()
        let completionOrder = Observations()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<1000 {
                group.addTask {
                    // Earlier calls sleep longer, so they finish after later ones.
                    let millis = (1000 - index) % 50
                    let reply = try await client.unary(TestMethods.sleep, RawMessage("\(millis)"))
                    #expect(reply.text == "\(millis)")
                    completionOrder.record("\(index)")
                }
            }
            try await group.waitForAll()
        }
        let order = completionOrder.events.map { Int($0)! }
        #expect(order.count == 1000)
        #expect(order != order.sorted(), "responses should complete out of order")
        await client.close()
        try await server.stop()
    }

    @Test("an unknown method is answered UNIMPLEMENTED and names the method")
    func unknownMethod() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        let client = server.client()
        let error = await expectRPCError(.unimplemented) {
            _ = try await client.unary(TestMethods.missing, RawMessage("x"))
        }
        #expect(error?.message.contains("test.Echo/Missing") == true)
        // The connection is still usable.
        #expect(try await client.unary(TestMethods.echo, RawMessage("still here")).text == "still here")
        await client.close()
        try await server.stop()
    }

    @Test("a handler's error reaches the caller with its status code and message")
    func handlerError() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        let client = server.client()
        let error = await expectRPCError(.failedPrecondition) {
            _ = try await client.unary(TestMethods.fail, RawMessage("because"))
        }
        #expect(error?.message == "refused: because")
        await client.close()
        try await server.stop()
    }

    @Test("metadata and the deadline reach the handler")
    func metadataAndDeadline() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        let client = server.client()
        let reply = try await client.unary(
            TestMethods.metadata, RawMessage(""), metadata: ["authorization": "Bearer abc", "x-trace": "42"], timeout: .seconds(5)
        )
        #expect(reply.text == "authorization=Bearer abc;x-trace=42|set")
        await client.close()
        try await server.stop()
    }

    @Test("a server-streaming call delivers every message, then ends")
    func serverStreaming() async throws {
        let server = try await TestServer.start(router: makeTestRouter())
        let client = server.client()
        var received: [String] = []
        for try await message in try await client.serverStreaming(TestMethods.count, RawMessage("100")) {
            received.append(message.text)
        }
        #expect(received == (0..<100).map { "\($0)" })
        await client.close()
        try await server.stop()
    }

    @Test("handlers run on the global executor answer the same, deadlines included")
    func globalExecutor() async throws {
        let observations = Observations()
        let server = try await TestServer.start(router: makeTestRouter(observations)) { $0.handlerExecution = .globalExecutor }
        let client = server.client()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let reply = try await client.unary(TestMethods.echo, RawMessage("\(index)"))
                    #expect(reply.text == "\(index)")
                }
            }
            try await group.waitForAll()
        }
        await expectRPCError(.deadlineExceeded) {
            _ = try await client.unary(TestMethods.sleep, RawMessage("3000"), timeout: .milliseconds(50))
        }
        #expect(await observations.wait(for: "cancelled:3000"))
        var received = 0
        for try await _ in try await client.serverStreaming(TestMethods.count, RawMessage("20")) { received += 1 }
        #expect(received == 20)
        await client.close()
        try await server.stop()
    }
}
