import MMSMessages
import MMSRPC
import MMSRPCServer
import Testing

/// Keeps docs/PROTOCOL.md honest: its worked example, byte for byte, against a real server.
@Suite("docs/PROTOCOL.md worked example")
struct ProtocolExampleTests {
    struct Health: HealthHandler {
        func check(_ request: HealthCheckRequest, context: ServerContext) async throws -> HealthCheckResponse {
            HealthCheckResponse(status: .serving)
        }
    }

    static func hex(_ text: String) -> [UInt8] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { UInt8($0, radix: 16)! }
    }

    @Test("the health check of §10 gets exactly the bytes the document shows")
    func workedExample() async throws {
        var router = RPCRouter()
        Health().register(on: &router)
        let server = try await TestServer.start(router: router)
        let request = Self.hex("""
            4D 4D 53 52 50 43 01 01
            00 00 00 1F 02 00 00 00 00 01
            00 13 6D 6D 73 2E 76 31 2E 48 65 61 6C 74 68 2F 43 68 65 63 6B
            00 00 00 00 00 00 00 00
            00 00
            """)
        let expected = Self.hex("""
            4D 4D 53 52 50 43 01 01
            00 00 00 12 01 00 00 00 00 00
            00 01 00 40 00 00 00 02 00 00 04 00 00 03 00 00 20 00
            00 00 00 02 03 01 00 00 00 01
            08 01
            """)
        let (received, _) = try await RawSocket.exchange(port: server.port, send: request, timeout: .milliseconds(300))
        #expect(received == expected)
        try await server.stop()
    }
}
