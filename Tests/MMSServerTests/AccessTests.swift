import Foundation
import MMSClient
import Testing

@Suite("Tokens, roles and tenant isolation")
struct AccessTests {
    @Test("the first start writes an operator token readable by its owner only; nothing is open without a token")
    func firstStart() async throws {
        let server = try await ServerFixture.start()
        let attributes = try FileManager.default.attributesOfItem(atPath: server.dataDirectory + "/operator-token")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(server.operatorToken.hasPrefix("mms_"))

        let anonymous = try server.client(nil)
        let error = await expectStatus(.unauthenticated) {
            _ = try await anonymous.call(AdminServiceMethods.listTenants, ListTenantsRequest())
        }
        #expect(error?.message.contains("authorization") == true)
        await expectStatus(.unauthenticated) {
            _ = try await anonymous.migrationStatus(GetMigrationStatusRequest(summaryOnly: true))
        }
        let forged = try server.client("mms_000000000000_" + String(repeating: "0", count: 64))
        await expectStatus(.unauthenticated) { _ = try await forged.call(AdminServiceMethods.listTenants, ListTenantsRequest()) }
        // Health needs no token.
        #expect(try await anonymous.health().status == .serving)
        // The file is not rewritten on the next start.
        try await server.stop()
        let again = try await ServerFixture.start(dataDirectory: server.dataDirectory)
        #expect(again.operatorToken == server.operatorToken)
        for client in [anonymous, forged] { await client.close() }
        try await again.stop()
        server.removeData()
    }

    @Test("roles: a reader reads but cannot change; an operator manages tenants but reads no tenant data")
    func roles() async throws {
        let server = try await ServerFixture.start()
        let (adminToken, readerToken) = try await server.tenant("contoso")
        let admin = try server.client(adminToken)
        let reader = try server.client(readerToken)
        let operatorClient = try server.client(server.operatorToken)

        _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "ashaw@contoso.com")))
        #expect(try await reader.call(DirectoryServiceMethods.getUser, GetUserRequest(identity: "ashaw@contoso.com")).userPrincipalName == "ashaw@contoso.com")
        let denied = await expectStatus(.permissionDenied) {
            _ = try await reader.startMeetingMigration(StartMeetingMigrationRequest(identity: "ashaw@contoso.com"))
        }
        #expect(denied?.message.contains("tenant admin") == true)
        await expectStatus(.permissionDenied) {
            _ = try await reader.call(AdminServiceMethods.createTenant, CreateTenantRequest(tenantId: "evil"))
        }
        await expectStatus(.permissionDenied) {
            _ = try await operatorClient.migrationStatus(GetMigrationStatusRequest())
        }
        await expectStatus(.permissionDenied) {
            _ = try await admin.call(AdminServiceMethods.createTenant, CreateTenantRequest(tenantId: "other"))
        }
        for client in [admin, reader, operatorClient] { await client.close() }
        try await server.stop()
        server.removeData()
    }

    @Test("another tenant's users and migrations do not exist for you")
    func isolation() async throws {
        let server = try await ServerFixture.start(hold: .seconds(3600))
        let contoso = try server.client(try await server.tenant("contoso").admin)
        let fabrikam = try server.client(try await server.tenant("fabrikam").admin)
        _ = try await contoso.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "ashaw@contoso.com")))
        let started = try await contoso.startMeetingMigration(StartMeetingMigrationRequest(identity: "ashaw@contoso.com"))
        #expect(started.queued)

        await expectStatus(.notFound) {
            _ = try await fabrikam.call(DirectoryServiceMethods.getUser, GetUserRequest(identity: "ashaw@contoso.com"))
        }
        await expectStatus(.notFound) {
            _ = try await fabrikam.startMeetingMigration(StartMeetingMigrationRequest(identity: "ashaw@contoso.com"))
        }
        await expectStatus(.notFound) {
            _ = try await fabrikam.call(MigrationServiceMethods.listMeetingOutcomes, ListMeetingOutcomesRequest(correlationId: started.correlationId))
        }
        #expect(try await fabrikam.migrationStatus(GetMigrationStatusRequest()).records.isEmpty)
        #expect(try await contoso.migrationStatus(GetMigrationStatusRequest()).records.count == 1)
        for client in [contoso, fabrikam] { await client.close() }
        try await server.stop()
        server.removeData()
    }

    @Test("tokens are listed without their secret and stop working once revoked")
    func revoke() async throws {
        let server = try await ServerFixture.start()
        let (adminToken, readerToken) = try await server.tenant("contoso")
        let admin = try server.client(adminToken)
        let listed = try await admin.call(AdminServiceMethods.listTokens, ListTokensRequest()).tokens
        #expect(listed.count == 2)
        #expect(listed.allSatisfy { $0.tenantId == "contoso" })
        let readerID = try #require(listed.first { $0.role == .tenantReader }).tokenId
        #expect(!readerToken.isEmpty && !listed.contains { readerToken.contains($0.description) && !$0.description.isEmpty })

        let reader = try server.client(readerToken)
        _ = try await reader.migrationStatus(GetMigrationStatusRequest())
        let revoked = try await admin.call(AdminServiceMethods.revokeToken, RevokeTokenRequest(tokenId: readerID))
        #expect(revoked.revokedDateMicros > 0)
        let error = await expectStatus(.unauthenticated) { _ = try await reader.migrationStatus(GetMigrationStatusRequest()) }
        #expect(error?.message.contains("revoked") == true)
        for client in [admin, reader] { await client.close() }
        try await server.stop()
        server.removeData()
    }
}
