import Foundation
import MMSClient
@testable import MMSServer
import Testing

/// Issue 16, PROTOCOL.md §9 "Order of checks": authentication and authorisation come first for
/// every method, in one interceptor, before the request is even decoded.
@Suite("Order of checks: the token, the role, then the request")
struct AccessOrderTests {
    /// Bytes that are no valid message of any request type (a truncated length-delimited field).
    static let malformed: [UInt8] = [0x0A, 0x7F, 0x61]

    /// Calls `method` by name with `bytes` as its request, unary or streaming as the policy's method is.
    static func call(_ client: MMSClient, _ method: String, _ bytes: [UInt8]) async throws {
        let request = RawMessage(String(decoding: bytes, as: UTF8.self))
        if [MigrationServiceMethods.watchMigration.fullName, MigrationServiceMethods.previewMeetingMigration.fullName].contains(method) {
            let stream = try await client.rpc.serverStreaming(
                ServerStreamingMethod<RawMessage, RawMessage>(fullName: method), request, metadata: client.metadata, timeout: .seconds(5))
            for try await _ in stream { break }
        } else {
            _ = try await client.rpc.unary(UnaryMethod<RawMessage, RawMessage>(fullName: method), request, metadata: client.metadata, timeout: .seconds(5))
        }
    }

    @Test("Issue 16: without a token, an empty or malformed request to any method but Health is UNAUTHENTICATED, never INVALID_ARGUMENT")
    func tokenFirst() async throws {
        let server = try await ServerFixture.start()
        defer { server.removeData() }
        let anonymous = try server.client(nil)
        let forged = try server.client("mms_000000000000_" + String(repeating: "0", count: 64))
        let methods = AccessPolicy.methods.keys.sorted().filter { $0 != HealthMethods.check.fullName }
        #expect(methods.count >= 40)
        for method in methods {
            for client in [anonymous, forged] {
                for bytes in [[], Self.malformed] {
                    await expectStatus(.unauthenticated) { try await Self.call(client, method, bytes) }
                }
            }
        }
        for client in [anonymous, forged] { await client.close() }
        try await server.stop()
    }

    @Test("Issue 16: a valid token without the role is PERMISSION_DENIED before the request is read, for every method that needs more")
    func roleSecond() async throws {
        let server = try await ServerFixture.start()
        defer { server.removeData() }
        let contoso = try await server.tenant("contoso")
        let reader = try server.client(contoso.reader)
        let admin = try server.client(contoso.admin)
        let operatorClient = try server.client(server.operatorToken)
        var checked = 0
        for (method, access) in AccessPolicy.methods.sorted(by: { $0.key < $1.key }) {
            var denied: [MMSClient] = []
            switch access.need {
            case .nothing, .anyToken: continue
            case .tenant(.tenantRead): denied = [operatorClient]
            case .tenant(_): denied = [operatorClient, reader]
            case .role(.operatorOnly): denied = [admin, reader]
            case .role(_): denied = [reader]
            }
            for client in denied {
                for bytes in [[], Self.malformed] {
                    await expectStatus(.permissionDenied) { try await Self.call(client, method, bytes) }
                    checked += 1
                }
            }
        }
        #expect(checked > 80)
        // With the role, the same malformed bytes reach the decoder.
        await expectStatus(.invalidArgument) { try await Self.call(admin, DirectoryServiceMethods.moveUser.fullName, Self.malformed) }
        await expectStatus(.invalidArgument) { try await Self.call(admin, DirectoryServiceMethods.moveUser.fullName, []) }
        for client in [reader, admin, operatorClient] { await client.close() }
        try await server.stop()
    }

    @Test("Issue 16: every method the server serves has an access rule, and a router with a method that has none does not start")
    func everyMethodHasARule() async throws {
        #expect(throws: RPCError.self) { try AccessPolicy.check(["mms.v1.Nowhere/Unchecked"]) }
        let server = try await ServerFixture.start()
        defer { server.removeData() }
        // The server started, so its check passed over every registered method; the table names no method it does not serve.
        let anonymous = try server.client(nil)
        for method in AccessPolicy.methods.keys {
            do {
                try await Self.call(anonymous, method, [])
            } catch let error as RPCError {
                #expect(error.code != .unimplemented, "\(method) has a rule but is not served")
            }
        }
        await anonymous.close()
        try await server.stop()
    }
}
