import Foundation
import MMSClient
import Testing

/// Issue 13, MISSION R8: every change an admin or an operator makes is in the audit trail (who,
/// what, when, the outcome, the migration it queued), refusals and PERMISSION_DENIED included;
/// secrets never are. `ListAuditRecords` shows a tenant admin its tenant's trail and an operator
/// the operator actions.
@Suite("Audit trail")
struct AuditTests {
    @Test("R8: changes, refusals and denials are recorded with who, what, when, outcome and correlation id; never a secret")
    func changesAreRecorded() async throws {
        let server = try await ServerFixture.start(hold: .seconds(3600))
        defer { server.removeData() }
        let startOfTest = Int64(Date().timeIntervalSince1970 * 1_000_000) - 1_000_000
        let contoso = try await server.tenant("contoso")
        let fabrikam = try await server.tenant("fabrikam")
        let admin = try server.client(contoso.admin)
        let reader = try server.client(contoso.reader)
        let adminId = try #require(try await admin.call(AdminServiceMethods.whoAmI, WhoAmIRequest()).token?.tokenId)
        let readerId = try #require(try await reader.call(AdminServiceMethods.whoAmI, WhoAmIRequest()).token?.tokenId)

        _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "ashaw@contoso.com", homing: .onPremises)))
        let moved = try await admin.call(DirectoryServiceMethods.moveUser, MoveUserRequest(identity: "ashaw@contoso.com", to: .online))
        #expect(moved.queued)
        // L2: refused, nothing changed.
        let back = try await admin.call(DirectoryServiceMethods.moveUser, MoveUserRequest(identity: "ashaw@contoso.com", to: .onPremises))
        #expect(!back.changeApplied)
        let started = try await admin.startMeetingMigration(StartMeetingMigrationRequest(identity: "ashaw@contoso.com"))
        await expectStatus(.permissionDenied) {
            _ = try await reader.call(DirectoryServiceMethods.moveUser, MoveUserRequest(identity: "ashaw@contoso.com", to: .online))
        }
        await expectStatus(.invalidArgument) {
            _ = try await admin.call(DirectoryServiceMethods.moveUser, MoveUserRequest(identity: "", to: .online))
        }
        _ = try await admin.call(TenantConfigurationServiceMethods.setMailboxSettings, SetMailboxSettingsRequest(
            settings: MailboxSettings(type: .caldav, url: "http://127.0.0.1:9/", username: "svc"), password: "very-secret-caldav-password"))
        _ = try await admin.call(TenantConfigurationServiceMethods.setMailSettings, SetMailSettingsRequest(
            settings: MailSettings(smtpHost: "127.0.0.1", smtpPort: 2525, tls: .none, username: "relay", senderAddress: "mms@contoso.com"),
            password: "very-secret-smtp-password"))
        _ = try await admin.call(TenantConfigurationServiceMethods.setTenantMigrationConfiguration, SetTenantMigrationConfigurationRequest(
            configuration: TenantMigrationConfiguration(meetingMigrationEnabled: true)))
        let made = try await admin.call(AdminServiceMethods.createToken, CreateTokenRequest(role: .tenantReader, description: "dashboard"))
        _ = try await admin.call(AdminServiceMethods.revokeToken, RevokeTokenRequest(tokenId: made.info?.tokenId ?? ""))

        let trail = try await admin.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest()).records
        func find(_ call: String, outcome: String, target: String? = nil) -> AuditRecord? {
            trail.first { $0.call == call && $0.outcome == outcome && (target == nil || $0.target == target) }
        }
        let create = try #require(find("CreateUser", outcome: "OK", target: "ashaw@contoso.com"), "\(trail)")
        #expect(create.tokenId == adminId && create.role == .tenantAdmin && create.tenantId == "contoso" && create.timeMicros >= startOfTest)
        let queued = try #require(find("MoveUser", outcome: "OK"))
        #expect(queued.correlationIds == [moved.status?.correlationId ?? "?"], "T1's record names the migration it queued")
        let refused = try #require(find("MoveUser", outcome: "REFUSED"))
        #expect(refused.detail.contains(back.reason) && refused.correlationIds.isEmpty)
        let start = try #require(find("StartMeetingMigration", outcome: "OK"))
        #expect(start.correlationIds == [started.correlationId] && start.target == "ashaw@contoso.com")
        let denied = try #require(find("MoveUser", outcome: "PERMISSION_DENIED"))
        #expect(denied.tokenId == readerId && denied.role == .tenantReader)
        #expect(find("MoveUser", outcome: "INVALID_ARGUMENT") != nil)
        #expect(find("SetMailboxSettings", outcome: "OK") != nil)
        #expect(find("SetMailSettings", outcome: "OK") != nil)
        #expect(find("SetTenantMigrationConfiguration", outcome: "OK") != nil)
        #expect(find("CreateToken", outcome: "OK", target: made.info?.tokenId) != nil, "the new token's id is the target")
        #expect(find("RevokeToken", outcome: "OK", target: made.info?.tokenId) != nil)
        // The operator's token creation on contoso is in contoso's trail; reads are not recorded.
        #expect(trail.contains { $0.call == "CreateToken" && $0.role == .operator })
        #expect(!trail.contains { $0.call == "WhoAmI" || $0.call == "GetMigrationStatus" })
        // Newest first; no secret anywhere; nothing of fabrikam's.
        #expect(trail.map(\.timeMicros) == trail.map(\.timeMicros).sorted(by: >))
        let text = "\(trail)"
        for secret in ["very-secret", contoso.admin, contoso.reader, String(contoso.admin.split(separator: "_").last ?? "")] {
            #expect(!text.contains(secret), "the trail holds a secret")
        }
        #expect(trail.allSatisfy { $0.tenantId == "contoso" })

        // Filters: by identity (any case), by time.
        let ashaw = try await admin.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest(identity: "ASHAW@contoso.com")).records
        #expect(!ashaw.isEmpty && ashaw.allSatisfy { $0.target == "ashaw@contoso.com" })
        #expect(ashaw.count == trail.filter { $0.target == "ashaw@contoso.com" }.count)
        let cut = start.timeMicros
        let later = try await admin.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest(startTimeMicros: cut)).records
        #expect(later.allSatisfy { $0.timeMicros >= cut } && later.contains { $0.recordId == start.recordId } && later.count < trail.count)
        let earlier = try await admin.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest(endTimeMicros: cut - 1)).records
        #expect(earlier.allSatisfy { $0.timeMicros < cut } && earlier.count + later.count == trail.count)
        await expectStatus(.invalidArgument) {
            _ = try await admin.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest(startTimeMicros: cut, endTimeMicros: cut - 1))
        }

        // A reader may not read the trail; another tenant's admin sees none of contoso's.
        await expectStatus(.permissionDenied) { _ = try await reader.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest()) }
        let other = try server.client(fabrikam.admin)
        let theirs = try await other.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest()).records
        #expect(theirs.allSatisfy { $0.tenantId == "fabrikam" } && !theirs.contains { $0.target.contains("contoso") })

        // The operator sees the operator actions (tenants and tokens), not the tenants' changes.
        let operatorClient = try server.client(server.operatorToken)
        let operatorTrail = try await operatorClient.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest()).records
        #expect(operatorTrail.allSatisfy { $0.role == .operator })
        #expect(operatorTrail.filter { $0.call == "CreateTenant" }.map(\.target).sorted() == ["contoso", "fabrikam"])
        #expect(operatorTrail.filter { $0.call == "CreateToken" }.count == 4)
        await expectStatus(.permissionDenied) {
            _ = try await operatorClient.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "x@contoso.com")))
        }
        let afterDenial = try await operatorClient.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest()).records
        #expect(afterDenial.contains { $0.call == "CreateUser" && $0.outcome == "PERMISSION_DENIED" && $0.role == .operator })

        for client in [admin, reader, other, operatorClient] { await client.close() }
        try await server.stop()
    }

    @Test("R8, S2: audit records are deleted after the status records' retention")
    func recordsArePruned() async throws {
        let server = try await ServerFixture.start(statusRetention: .seconds(2))
        defer { server.removeData() }
        let contoso = try await server.tenant("contoso")
        let admin = try server.client(contoso.admin)
        _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "ann@contoso.com")))
        let operatorClient = try server.client(server.operatorToken)
        #expect(!(try await admin.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest()).records.isEmpty))
        // Pruned within the retention plus a pruning interval (a quarter of it, at least 1 s).
        let pruned = try await eventually(timeout: .seconds(10)) {
            let tenant = try await admin.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest()).records
            let operators = try await operatorClient.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest()).records
            return tenant.isEmpty && operators.isEmpty
        }
        #expect(pruned)
        await admin.close()
        await operatorClient.close()
        try await server.stop()
    }
}
