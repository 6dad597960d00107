import Foundation
import MMSClient
import Testing

/// Issue 9, security: every call of the API, made with another tenant's admin and reader tokens
/// on tenant A's ids (user, meeting, correlation id, token, bridge), answers NOT_FOUND (or
/// PERMISSION_DENIED for a reader's write), never A's data, and changes nothing of A's.
@Suite("Across tenants: every call, every id")
struct CrossTenantTests {
    /// The tenant A whose ids tenant B tries.
    struct Victim {
        var user = "victim@alpha.example"
        var meetingId = ""
        var correlationId = ""
        var tokenId = ""
        var bridgeId = "bridge-alpha"
        var number = "+13238867531"
    }

    @Test("Issue 9: tenant B's admin and reader reach nothing of tenant A's through any call")
    func everyCallAcrossTenants() async throws {
        let server = try await ServerFixture.start()
        defer { server.removeData() }
        let alpha = try await server.tenant("alpha")
        let beta = try await server.tenant("beta")
        let alphaAdmin = try server.client(alpha.admin)
        var victim = Victim()

        // Tenant A: a bridge, a user on it, a meeting with an invitation, a migration, a token.
        _ = try await alphaAdmin.call(DirectoryServiceMethods.saveBridge, SaveBridgeRequest(bridge: Bridge(
            bridgeId: victim.bridgeId, name: "Alpha bridge", numbers: [DialInNumber(number: victim.number, label: "US")])))
        _ = try await alphaAdmin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(
            userPrincipalName: victim.user, audioConferencingLicensed: true, audioConferencingProvider: .microsoft,
            audioConferencingEnabled: true, bridgeId: victim.bridgeId)))
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let meeting = try await alphaAdmin.call(CalendarServiceMethods.addMeeting, AddMeetingRequest(meeting: Meeting(
            organizer: victim.user, attendees: ["secret-attendee@fabrikam.example"], startMicros: now + 86_400_000_000,
            endMicros: now + 90_000_000_000, subject: "Alpha secret", body: "alpha body", bodyFormat: .plainText, kind: .skypeOnline,
            createdThroughService: true)))
        victim.meetingId = meeting.meetingId
        let started = try await alphaAdmin.startMeetingMigration(StartMeetingMigrationRequest(identity: victim.user))
        victim.correlationId = started.correlationId
        // The migration runs at once (hold 0), so the meeting has an invitation to leak.
        let ran = try await eventually {
            let sent = try await alphaAdmin.call(CalendarServiceMethods.listInvitations, ListInvitationsRequest(meetingId: victim.meetingId))
                .invitations.contains { $0.sentMicros != 0 }
            let finished = try await alphaAdmin.migrationStatus(GetMigrationStatusRequest(identity: victim.user)).records.first?.state == .succeeded
            return sent && finished
        }
        let record = try await alphaAdmin.migrationStatus(GetMigrationStatusRequest(identity: victim.user)).records.first
        #expect(ran, "the migration did not finish: \(String(describing: record))")
        victim.tokenId = try await alphaAdmin.call(AdminServiceMethods.whoAmI, WhoAmIRequest()).token?.tokenId ?? ""
        #expect(!victim.tokenId.isEmpty)
        // Tenant A's mail relay and its password (issue 10), set after A's invitation went out.
        _ = try await alphaAdmin.call(TenantConfigurationServiceMethods.setMailSettings, SetMailSettingsRequest(
            settings: MailSettings(smtpHost: "127.0.0.1", smtpPort: 2525, tls: .none, username: "alpha-relay-user",
                                   senderAddress: "alpha-mail@alpha.example"),
            password: "alpha-relay-password"))
        let before = try await self.snapshot(alphaAdmin, victim)

        var covered = Set<String>()
        // The reader first: the admin's pass ends by creating tenant B's own user and bridge with
        // the same principal name and bridge id as A's, which B may then read.
        for token in [beta.reader, beta.admin] {
            let client = try server.client(token)
            let isReader = token == beta.reader
            // A write by a reader is PERMISSION_DENIED before anything is looked up; a read, or an
            // admin's write, of tenant A's id is NOT_FOUND.
            let writeCode: StatusCode = isReader ? .permissionDenied : .notFound
            func denied(_ method: String, _ code: StatusCode, _ body: () async throws -> Void) async {
                covered.insert(method)
                let error = await expectStatus(code, body)
                if let error {
                    // (Echoing the id the caller gave is no leak; A's contents would be.)
                    for secret in ["Alpha secret", "secret-attendee", "alpha body", "Alpha bridge", "alpha-mail", "2525", "alpha-relay"] {
                        #expect(!error.message.contains(secret), "\(method) leaked \(secret): \(error.message)")
                    }
                }
            }

            // Admin service.
            await denied("CreateTenant", .permissionDenied) { _ = try await client.call(AdminServiceMethods.createTenant, CreateTenantRequest(tenantId: "gamma")) }
            await denied("ListTenants", .permissionDenied) { _ = try await client.call(AdminServiceMethods.listTenants, ListTenantsRequest()) }
            await denied("CreateToken", isReader ? .permissionDenied : .notFound) {
                _ = try await client.call(AdminServiceMethods.createToken, CreateTokenRequest(tenantId: "alpha", role: .tenantAdmin))
            }
            await denied("ListTokens", isReader ? .permissionDenied : .notFound) {
                _ = try await client.call(AdminServiceMethods.listTokens, ListTokensRequest(tenantId: "alpha"))
            }
            await denied("RevokeToken", isReader ? .permissionDenied : .notFound) {
                _ = try await client.call(AdminServiceMethods.revokeToken, RevokeTokenRequest(tokenId: victim.tokenId))
            }
            covered.insert("WhoAmI")
            let me = try await client.call(AdminServiceMethods.whoAmI, WhoAmIRequest())
            #expect(me.token?.tenantId == "beta")
            // Issue 13: the audit trail. A reader may not read it; B's admin reads B's alone, even asking for A's user.
            if isReader {
                await denied("ListAuditRecords", .permissionDenied) {
                    _ = try await client.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest())
                }
            } else {
                covered.insert("ListAuditRecords")
                let trail = try await client.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest(identity: victim.user)).records
                #expect(trail.allSatisfy { $0.tenantId == "beta" }, "tenant B reads only its own trail: \(trail)")
                let all = try await client.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest()).records
                #expect(!all.isEmpty && !all.contains { $0.tokenId == victim.tokenId || $0.tenantId != "beta" }, "none of A's records")
            }

            // Calendar service.
            await denied("AddMeeting", writeCode) {
                _ = try await client.call(CalendarServiceMethods.addMeeting, AddMeetingRequest(meeting: Meeting(
                    organizer: victim.user, startMicros: now + 86_400_000_000, endMicros: now + 90_000_000_000,
                    subject: "x", body: "x", bodyFormat: .plainText, kind: .teams)))
            }
            await denied("ListMeetings", .notFound) { _ = try await client.call(CalendarServiceMethods.listMeetings, ListMeetingsRequest(identity: victim.user)) }
            await denied("GetMeeting", .notFound) { _ = try await client.call(CalendarServiceMethods.getMeeting, GetMeetingRequest(meetingId: victim.meetingId)) }
            await denied("ImportMeetings", writeCode) {
                _ = try await client.call(CalendarServiceMethods.importMeetings, ImportMeetingsRequest(identity: victim.user))
            }
            await denied("ListInvitations", .notFound) {
                _ = try await client.call(CalendarServiceMethods.listInvitations, ListInvitationsRequest(meetingId: victim.meetingId))
            }

            // Directory service: every change names tenant A's user.
            await denied("GetUser", .notFound) { _ = try await client.call(DirectoryServiceMethods.getUser, GetUserRequest(identity: victim.user)) }
            covered.insert("ListUsers")
            #expect(try await client.call(DirectoryServiceMethods.listUsers, ListUsersRequest()).users.allSatisfy { $0.userPrincipalName != victim.user })
            await denied("MoveUser", writeCode) { _ = try await client.call(DirectoryServiceMethods.moveUser, MoveUserRequest(identity: victim.user, to: .onPremises)) }
            await denied("GrantTeamsUpgradePolicy", writeCode) {
                _ = try await client.call(DirectoryServiceMethods.grantTeamsUpgradePolicy, GrantTeamsUpgradePolicyRequest(identity: victim.user, mode: .islands))
            }
            await denied("SetAudioConferencingLicence", writeCode) {
                _ = try await client.call(DirectoryServiceMethods.setAudioConferencingLicence, SetAudioConferencingLicenceRequest(identity: victim.user, licensed: false))
            }
            await denied("SetAudioConferencingProvider", writeCode) {
                _ = try await client.call(DirectoryServiceMethods.setAudioConferencingProvider, SetAudioConferencingProviderRequest(identity: victim.user, provider: .thirdParty))
            }
            await denied("SetAudioConferencingEnabled", writeCode) {
                _ = try await client.call(DirectoryServiceMethods.setAudioConferencingEnabled, SetAudioConferencingEnabledRequest(identity: victim.user, enabled: false))
            }
            await denied("ChangeConferenceId", writeCode) {
                _ = try await client.call(DirectoryServiceMethods.changeConferenceId, ChangeConferenceIdRequest(identity: victim.user, conferenceId: "123456"))
            }
            await denied("MoveUserToBridge", writeCode) {
                _ = try await client.call(DirectoryServiceMethods.moveUserToBridge, MoveUserToBridgeRequest(identity: victim.user, bridgeId: victim.bridgeId))
            }
            await denied("ChangeSipAddress", writeCode) {
                _ = try await client.call(DirectoryServiceMethods.changeSipAddress, ChangeSipAddressRequest(identity: victim.user, sipAddress: "sip:x@alpha.example"))
            }
            await denied("UnassignBridgeNumber", writeCode) {
                _ = try await client.call(DirectoryServiceMethods.unassignBridgeNumber, UnassignBridgeNumberRequest(bridgeId: victim.bridgeId, number: victim.number))
            }
            covered.insert("ListBridges")
            #expect(try await client.call(DirectoryServiceMethods.listBridges, ListBridgesRequest()).bridges.allSatisfy { $0.name != "Alpha bridge" })

            // Migration service.
            await denied("StartMeetingMigration", writeCode) { _ = try await client.startMeetingMigration(StartMeetingMigrationRequest(identity: victim.user)) }
            await denied("GetMigrationStatus", .notFound) { _ = try await client.migrationStatus(GetMigrationStatusRequest(identity: victim.user)) }
            #expect(try await client.migrationStatus(GetMigrationStatusRequest()).records.isEmpty)
            await denied("ListMeetingOutcomes", .notFound) {
                _ = try await client.call(MigrationServiceMethods.listMeetingOutcomes, ListMeetingOutcomesRequest(correlationId: victim.correlationId))
            }
            await denied("ListMeetingOutcomes", .notFound) {
                _ = try await client.call(MigrationServiceMethods.listMeetingOutcomes, ListMeetingOutcomesRequest(identity: victim.user))
            }
            await denied("WatchMigration", .notFound) {
                let stream = try await client.stream(MigrationServiceMethods.watchMigration, WatchMigrationRequest(identity: victim.user, untilFinished: true))
                for try await _ in stream {}
            }
            // Issue 15: B (admin or reader: a reader may preview its own users) previews A's user → NOT_FOUND, nothing of A's sent.
            await denied("PreviewMeetingMigration", .notFound) {
                let stream = try await client.stream(
                    MigrationServiceMethods.previewMeetingMigration, PreviewMeetingMigrationRequest(identity: victim.user, targetMeetingType: .teams))
                for try await preview in stream { Issue.record("tenant B was sent a preview of A's meeting: \(preview.subject)") }
            }

            // Mailbox settings (issue 17): B's test names A's user → NOT_FOUND (a reader may not test).
            await denied("TestMailboxSettings", writeCode) {
                _ = try await client.call(TenantConfigurationServiceMethods.testMailboxSettings, TestMailboxSettingsRequest(identity: victim.user))
            }
            covered.insert("GetMailboxSettings")
            #expect(try await client.call(TenantConfigurationServiceMethods.getMailboxSettings, GetMailboxSettingsRequest()).type == .builtIn)
            // Mail settings (issue 10): a reader may not set or test; B's admin sets and tests B's own.
            if isReader {
                await denied("SetMailSettings", .permissionDenied) {
                    _ = try await client.call(TenantConfigurationServiceMethods.setMailSettings, SetMailSettingsRequest(remove: true))
                }
                await denied("TestMailSettings", .permissionDenied) {
                    _ = try await client.call(TenantConfigurationServiceMethods.testMailSettings, TestMailSettingsRequest(to: "x@beta.example"))
                }
            } else {
                covered.insert("SetMailSettings")
                _ = try await client.call(TenantConfigurationServiceMethods.setMailSettings, SetMailSettingsRequest(
                    settings: MailSettings(smtpHost: "127.0.0.1", smtpPort: 1, tls: .none, senderAddress: "beta@beta.example")))
                // B's test goes to B's relay (nothing listens on port 1), never A's.
                await denied("TestMailSettings", .failedPrecondition) {
                    _ = try await client.call(TenantConfigurationServiceMethods.testMailSettings, TestMailSettingsRequest(to: "x@beta.example"))
                }
                _ = try await client.call(TenantConfigurationServiceMethods.setMailSettings, SetMailSettingsRequest(remove: true))
            }
            covered.insert("GetMailSettings")
            let betaMail = try await client.call(TenantConfigurationServiceMethods.getMailSettings, GetMailSettingsRequest())
            #expect(!betaMail.configured && betaMail.smtpHost.isEmpty && !betaMail.passwordSet, "tenant B reads no mail settings of A's: \(betaMail)")

            // Calls with no id of A's act on B alone (checked below against A's snapshot).
            if !isReader {
                covered.formUnion(["CreateUser", "SaveBridge", "GrantTenantTeamsUpgradePolicy", "UpdateTenantMeetingUrl",
                                   "SetTenantMigrationConfiguration", "SetDialInConferencingTenantSettings", "SetMailboxSettings"])
                _ = try await client.call(TenantConfigurationServiceMethods.setMailboxSettings, SetMailboxSettingsRequest(
                    settings: MailboxSettings(type: .caldav, url: "http://127.0.0.1:9/", username: "beta-service"), password: "beta-secret"))
                // The same principal name and bridge id in tenant B are B's own, separate records.
                _ = try await client.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: victim.user, homing: .onPremises)))
                _ = try await client.call(DirectoryServiceMethods.saveBridge, SaveBridgeRequest(bridge: Bridge(bridgeId: victim.bridgeId, name: "Beta's own")))
                _ = try await client.call(DirectoryServiceMethods.grantTenantTeamsUpgradePolicy, GrantTenantTeamsUpgradePolicyRequest(mode: .islands))
                _ = try await client.call(DirectoryServiceMethods.updateTenantMeetingUrl, UpdateTenantMeetingUrlRequest(host: "meet.beta.example"))
                _ = try await client.call(TenantConfigurationServiceMethods.setTenantMigrationConfiguration,
                                          SetTenantMigrationConfigurationRequest(configuration: TenantMigrationConfiguration(meetingMigrationEnabled: false)))
                _ = try await client.call(TenantConfigurationServiceMethods.setDialInConferencingTenantSettings,
                                          SetDialInConferencingTenantSettingsRequest(settings: DialInConferencingTenantSettings(automaticallyMigrateUserMeetings: false)))
                let betaUser = try await client.call(DirectoryServiceMethods.getUser, GetUserRequest(identity: victim.user))
                #expect(betaUser.homing == .onPremises && betaUser.bridgeId.isEmpty, "tenant B reads its own user, not A's")
            }
            covered.formUnion(["GetTenantMigrationConfiguration", "GetDialInConferencingTenantSettings"])
            // B reads its own switches: both on at first (the reader's pass), off once its admin turned them off.
            #expect(try await client.call(TenantConfigurationServiceMethods.getTenantMigrationConfiguration, GetTenantMigrationConfigurationRequest())
                .meetingMigrationEnabled == isReader)
            #expect(try await client.call(TenantConfigurationServiceMethods.getDialInConferencingTenantSettings, GetDialInConferencingTenantSettingsRequest())
                .automaticallyMigrateUserMeetings == isReader)
            await client.close()
        }

        // Nothing of tenant A's changed.
        #expect(try await self.snapshot(alphaAdmin, victim) == before)
        // Every RPC of the API was tried (a new call must be added here).
        covered.insert("Check")  // Health: no tenant data
        let untried = try Self.apiMethods().subtracting(covered)
        #expect(untried.isEmpty, "not tried across tenants: \(untried.sorted())")
        #expect(try Self.apiMethods().count >= 30, "the .proto files were found and read")
        await alphaAdmin.close()
        try await server.stop()
    }

    /// Everything tenant A can see of its own, to compare before and after.
    private func snapshot(_ client: MMSClient, _ victim: Victim) async throws -> String {
        let user = try await client.call(DirectoryServiceMethods.getUser, GetUserRequest(identity: victim.user))
        let meetings = try await client.call(CalendarServiceMethods.listMeetings, ListMeetingsRequest(identity: victim.user, includeBodies: true))
        let invitations = try await client.call(CalendarServiceMethods.listInvitations, ListInvitationsRequest(meetingId: victim.meetingId))
        let bridges = try await client.call(DirectoryServiceMethods.listBridges, ListBridgesRequest())
        let status = try await client.migrationStatus(GetMigrationStatusRequest(identity: victim.user))
        let config = try await client.call(TenantConfigurationServiceMethods.getTenantMigrationConfiguration, GetTenantMigrationConfigurationRequest())
        let dialIn = try await client.call(TenantConfigurationServiceMethods.getDialInConferencingTenantSettings, GetDialInConferencingTenantSettingsRequest())
        let tokens = try await client.call(AdminServiceMethods.listTokens, ListTokensRequest())
        let mailbox = try await client.call(TenantConfigurationServiceMethods.getMailboxSettings, GetMailboxSettingsRequest())
        return "\(user)\n\(meetings)\n\(invitations)\n\(bridges)\n\(status.records.map { ($0.correlationId, $0.state, $0.lastMessage) })\n\(config)\n\(dialIn)\n\(tokens)\n\(mailbox)"
        let mail = try await client.call(TenantConfigurationServiceMethods.getMailSettings, GetMailSettingsRequest())
        return "\(user)\n\(meetings)\n\(invitations)\n\(bridges)\n\(status.records.map { ($0.correlationId, $0.state, $0.lastMessage) })\n\(config)\n\(dialIn)\n\(tokens)\n\(mail)"
    }

    /// Every `rpc` of the `.proto` files.
    static func apiMethods() throws -> Set<String> {
        let protos = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protos/mms/v1")
        var names = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: protos.path) where file.hasSuffix(".proto") {
            let text = try String(contentsOf: protos.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "(" })
                if words.count >= 2, words[0] == "rpc" { names.insert(String(words[1])) }
            }
        }
        return names
    }
}
