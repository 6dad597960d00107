import Foundation
import MMSCore
import MMSCoreTesting
import Testing

/// Triggers and non-triggers through the engine and a real SQLite store.
@Suite("Engine: triggers, switches, limitations and input errors")
struct EngineTriggerTests {
    @Test("T1: Move-CsUser to the cloud queues an SfbToTeams migration, pending for the hold")
    func t1() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann", homing: .onPremises))
        let outcome = try await h.engine.moveUser(tenant: h.tenant, identity: "ann@contoso.com", to: .online)
        guard case .queued(let record) = outcome.migration else { Issue.record("\(outcome.migration)"); return }
        #expect(record.state == .pending && record.migrationType == .sfbToTeams && record.userId == ann.id)
        #expect(try await h.engine.user(tenant: h.tenant, identity: "ann@contoso.com").homing == .online)
    }

    @Test("L2: moving back on-premises is refused; the user and the queue are unchanged")
    func l2() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let outcome = try await h.engine.moveUser(tenant: h.tenant, identity: "ann@contoso.com", to: .onPremises)
        #expect(outcome.migration.reason?.code == .movingBackToOnPremises)
        #expect(try await h.engine.user(tenant: h.tenant, identity: "ann@contoso.com") == ann)
        #expect(try await h.status(ann).isEmpty)
    }

    @Test("L1: a trigger for a user with an on-premises mailbox is refused; nothing changed, nothing queued")
    func l1() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann", homing: .onPremises, mailbox: .onPremisesExchange))
        let moved = try await h.engine.moveUser(tenant: h.tenant, identity: "ann@contoso.com", to: .online)
        #expect(moved.migration.reason?.code == .mailboxOnPremises)
        let manual = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com")
        #expect(manual.reason?.code == .mailboxOnPremises && manual.reason?.message.contains("L1") == true)
        #expect(try await h.engine.user(tenant: h.tenant, identity: "ann@contoso.com") == ann)
        #expect(try await h.status(ann).isEmpty)
    }

    @Test("T2: each audio-conferencing change queues a migration for the user")
    func t2() async throws {
        let h = try await EngineHarness.make()
        let users = try await (0..<6).asyncMap { try await h.addUser(Fixtures.user("u\($0)")) }
        let engine = h.engine
        var outcomes: [DirectoryChangeOutcome] = []
        outcomes.append(try await engine.setAudioConferencingLicence(tenant: h.tenant, identity: users[0].userPrincipalName, assigned: false))
        outcomes.append(try await engine.setAudioConferencingEnabled(tenant: h.tenant, identity: users[1].userPrincipalName, enabled: false))
        outcomes.append(try await engine.changeConferenceId(tenant: h.tenant, identity: users[2].userPrincipalName, to: "555000111"))
        outcomes.append(try await engine.resetConferenceId(tenant: h.tenant, identity: users[3].userPrincipalName))
        outcomes.append(try await engine.moveUserToBridge(tenant: h.tenant, identity: users[4].userPrincipalName, bridge: Fixtures.otherBridge.id))
        var thirdParty = try await engine.setAudioConferencingProvider(tenant: h.tenant, identity: users[5].userPrincipalName, provider: .thirdParty)
        #expect(thirdParty.migration.reason?.code == .notATrigger)
        thirdParty = try await engine.setAudioConferencingProvider(tenant: h.tenant, identity: users[5].userPrincipalName, provider: .microsoft)
        outcomes.append(thirdParty)
        for outcome in outcomes {
            #expect(outcome.migration.isQueued, "\(outcome.user.userPrincipalName): \(outcome.migration)")
            #expect(outcome.migration.record?.migrationType == .toSameType)
        }
        #expect(outcomes[2].user.audioConferencing.conferenceId == "555000111")
        #expect(outcomes[3].user.audioConferencing.conferenceId != users[3].audioConferencing.conferenceId)
    }

    @Test("T2: a conference id already used on the bridge is refused with a clear error; nothing changed")
    func t2DuplicateConferenceId() async throws {
        let h = try await EngineHarness.make()
        try await h.addUser(Fixtures.user("ann", conferenceId: "111222333"))
        let bob = try await h.addUser(Fixtures.user("bob", conferenceId: "444555666"))
        await #expect(throws: MigrationEngineError.self) {
            _ = try await h.engine.changeConferenceId(tenant: h.tenant, identity: "bob@contoso.com", to: "111222333")
        }
        #expect(try await h.engine.user(tenant: h.tenant, identity: "bob@contoso.com") == bob)
        #expect(try await h.status(bob).isEmpty)
    }

    @Test("T2: unassigning a bridge number migrates exactly the bridge's users whose invitations carry it")
    func t2BridgeNumber() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let bob = try await h.addUser(Fixtures.user("bob"))
        let cy = try await h.addUser(Fixtures.user("cy"))
        var dee = Fixtures.user("dee")
        dee.audioConferencing.bridge = Fixtures.otherBridge.id
        dee = try await h.addUser(dee)
        try await h.addMeeting(ann)
        try await h.addMeeting(bob)
        try await h.addMeeting(dee)
        // cy has no meeting: no invitation carries the number.
        let outcomes = try await h.engine.unassignBridgeNumber(tenant: h.tenant, bridge: Fixtures.bridge.id, number: "+13238867531")
        #expect(Set(outcomes.map(\.user.id)) == [ann.id, bob.id])
        #expect(outcomes.allSatisfy { $0.migration.isQueued })
        #expect(try await h.status(cy).isEmpty)
        #expect(try await h.status(dee).isEmpty)
        await #expect(throws: MigrationEngineError.self) {
            _ = try await h.engine.unassignBridgeNumber(tenant: h.tenant, bridge: Fixtures.bridge.id, number: "+13238867531")
        }
    }

    @Test("T3: a per-user grant triggers; a tenant-wide grant and MigrateMeetingsToTeams false do not")
    func t3() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let bob = try await h.addUser(Fixtures.user("bob"))
        let granted = try await h.engine.grantTeamsUpgradePolicy(tenant: h.tenant, identity: "ann@contoso.com", mode: .teamsOnly)
        #expect(granted.migration.record?.migrationType == .sfbToTeams)
        let quiet = try await h.engine.grantTeamsUpgradePolicy(
            tenant: h.tenant, identity: "bob@contoso.com", mode: .teamsOnly, migrateMeetingsToTeams: false)
        #expect(quiet.migration.reason?.code == .notATrigger && quiet.user.teamsUpgradeMode == .teamsOnly)
        let tenantWide = try await h.engine.grantTenantTeamsUpgradePolicy(tenant: h.tenant, mode: .teamsOnly)
        #expect(tenantWide.code == .notATrigger)
        #expect(try await h.engine.tenantMigrationConfiguration(tenant: h.tenant).defaultTeamsUpgradeMode == .teamsOnly)
        #expect(try await h.status(bob).isEmpty)
        #expect(try await h.status(ann).count == 1)
    }

    @Test("N1 and N2: SIP address and tenant meeting URL changes are applied and queue nothing")
    func n1n2() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        let sip = try await h.engine.changeSipAddress(tenant: h.tenant, identity: "ann@contoso.com", to: "sip:ann@fabrikam.com")
        #expect(sip.migration.reason?.code == .notATrigger && sip.user.sipAddress == "sip:ann@fabrikam.com")
        let url = try await h.engine.updateTenantMeetingURL(tenant: h.tenant, host: "meet.fabrikam.com")
        #expect(url.code == .notATrigger && url.message.contains("N2"))
        #expect(try await h.engine.tenantMigrationConfiguration(tenant: h.tenant).meetingURLHost == "meet.fabrikam.com")
        #expect(try await h.status(ann).isEmpty)
    }

    @Test("S3: MeetingMigrationEnabled defaults to true; off, no trigger queues, T4 included")
    func s3() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann", homing: .onPremises))
        #expect(try await h.engine.tenantMigrationConfiguration(tenant: h.tenant).meetingMigrationEnabled)
        try await h.engine.setTenantMigrationConfiguration(tenant: h.tenant, meetingMigrationEnabled: false)
        let moved = try await h.engine.moveUser(tenant: h.tenant, identity: "ann@contoso.com", to: .online)
        #expect(moved.migration.reason?.code == .tenantMigrationDisabled && moved.user.homing == .online)
        let manual = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com")
        #expect(manual.reason?.code == .tenantMigrationDisabled)
        #expect(try await h.status(ann).isEmpty)
        try await h.engine.setTenantMigrationConfiguration(tenant: h.tenant, meetingMigrationEnabled: true)
        #expect(try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com").isQueued)
    }

    @Test("S4: AutomaticallyMigrateUserMeetings defaults to true; off, T2 does not queue while T1, T3 and T4 do")
    func s4() async throws {
        let h = try await EngineHarness.make()
        try await h.addUser(Fixtures.user("ann"))
        try await h.addUser(Fixtures.user("bob", homing: .onPremises))
        #expect(try await h.engine.dialInConferencingSettings(tenant: h.tenant).automaticallyMigrateUserMeetings)
        try await h.engine.setDialInConferencingSettings(tenant: h.tenant, automaticallyMigrateUserMeetings: false)
        let t2 = try await h.engine.setAudioConferencingEnabled(tenant: h.tenant, identity: "ann@contoso.com", enabled: false)
        #expect(t2.migration.reason?.code == .automaticMigrationDisabled && !t2.user.audioConferencing.enabled)
        #expect(try await h.engine.moveUser(tenant: h.tenant, identity: "bob@contoso.com", to: .online).migration.isQueued)
        #expect(try await h.engine.grantTeamsUpgradePolicy(tenant: h.tenant, identity: "ann@contoso.com", mode: .teamsOnly).migration.isQueued)
        #expect(try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "ann@contoso.com").isQueued)
    }

    @Test("Errors: empty or unknown identity, unknown bridge, bad conference id, bad status query name the field and change nothing")
    func errors() async throws {
        let h = try await EngineHarness.make()
        let ann = try await h.addUser(Fixtures.user("ann"))
        func field(_ body: () async throws -> Void) async -> (MigrationEngineError.Code, String?)? {
            do { try await body(); return nil } catch let error as MigrationEngineError { return (error.code, error.field) } catch { return nil }
        }
        var result = await field { _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "  ") }
        #expect(result?.0 == .invalidArgument && result?.1 == "identity")
        result = await field { _ = try await h.engine.startMeetingMigration(tenant: h.tenant, identity: "nobody@contoso.com") }
        #expect(result?.0 == .notFound && result?.1 == "identity")
        result = await field { _ = try await h.engine.startMeetingMigration(tenant: TenantID(""), identity: "ann@contoso.com") }
        #expect(result?.0 == .invalidArgument && result?.1 == "tenant")
        result = await field { _ = try await h.engine.moveUserToBridge(tenant: h.tenant, identity: "ann@contoso.com", bridge: BridgeID("nope")) }
        #expect(result?.0 == .notFound && result?.1 == "bridge")
        result = await field { _ = try await h.engine.changeConferenceId(tenant: h.tenant, identity: "ann@contoso.com", to: "12ab") }
        #expect(result?.0 == .invalidArgument && result?.1 == "conference_id")
        result = await field { _ = try await h.engine.migrationStatus(tenant: h.tenant, query: StatusQuery(identity: "ghost@contoso.com")) }
        #expect(result?.0 == .notFound && result?.1 == "identity")
        result = await field { _ = try await h.engine.migrationStatus(tenant: h.tenant, query: StatusQuery(start: h.clock.now(), end: h.clock.now().addingTimeInterval(-1))) }
        #expect(result?.0 == .invalidArgument && result?.1 == "start")
        result = await field { try await h.engine.createUser(Fixtures.user("ann")) }
        #expect(result?.0 == .alreadyExists && result?.1 == "userPrincipalName")
        #expect(try await h.engine.user(tenant: h.tenant, identity: "ann@contoso.com") == ann)
        #expect(try await h.status(ann).isEmpty)
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
