import MMSCore
import MMSCoreTesting
import Testing

/// The trigger rules as a pure function: no store, no clock.
@Suite("Trigger policy (T1–T4, N1, L1, L2, S3, S4)")
struct TriggerPolicyTests {
    let settings = TenantSettings.defaults(for: Fixtures.tenant)

    func apply(_ change: DirectoryChange, to user: User, settings: TenantSettings? = nil) -> (User, TriggerDecision) {
        var changed = user
        let decision = TriggerPolicy.apply(change, to: &changed, settings: settings ?? self.settings, allocateConferenceId: { "987654321" })
        return (changed, decision)
    }

    func reasonCode(_ decision: TriggerDecision) -> NotQueuedReason.Code? {
        switch decision {
        case .enqueue: nil
        case .noMigration(let reason), .refuse(let reason): reason.code
        }
    }

    @Test("Issue 9: reasons name values as the cmdlets do (Islands, SfBOnly, Microsoft, on-premises), never by internal names")
    func cmdletNames() {
        let user = Fixtures.user("ann")
        for (mode, name) in [(TeamsUpgradeMode.islands, "Islands"), (.skypeForBusinessOnly, "SfBOnly"), (.skypeForBusinessWithTeamsCollab, "SfBWithTeamsCollab")] {
            guard case .noMigration(let reason) = apply(.grantTeamsUpgradePolicy(mode, migrateMeetingsToTeams: true), to: user).1 else {
                Issue.record("\(mode) queued")
                continue
            }
            #expect(reason.message.contains("granting \(name) "), "\(reason.message)")
            #expect(!reason.message.contains(mode.rawValue), "\(reason.message)")
        }
        guard case .noMigration(let same) = apply(.setAudioConferencingProvider(.microsoft), to: user).1 else { Issue.record("queued"); return }
        #expect(same.message.contains("already Microsoft"), "\(same.message)")
        guard case .noMigration(let homed) = apply(.moveUser(to: .online), to: user).1 else { Issue.record("queued"); return }
        #expect(homed.message.contains("already homed online"), "\(homed.message)")
    }

    @Test("T1: moving an on-premises user to the cloud converts Skype meetings to Teams")
    func t1() {
        let (user, decision) = apply(.moveUser(to: .online), to: Fixtures.user("ann", homing: .onPremises))
        #expect(decision == .enqueue(MigrationScope(skypeMeetings: .convertToTeams, teamsMeetings: false)))
        #expect(user.homing == .online && user.teamsUpgradeMode == .teamsOnly)
    }

    @Test("L2: moving a user from the cloud back on-premises is refused and changes nothing")
    func l2() {
        let before = Fixtures.user("ann")
        let (_, decision) = apply(.moveUser(to: .onPremises), to: before)
        guard case .refuse(let reason) = decision else { Issue.record("expected refuse, got \(decision)"); return }
        #expect(reason.code == .movingBackToOnPremises && !reason.changeApplied)
        #expect(reason.message.contains("L2"))
    }

    @Test("L1: a trigger for a user whose mailbox is on-premises Exchange is refused with the fix",
          arguments: [DirectoryChange.moveUser(to: .online), .setAudioConferencingEnabled(false), .startMigration(source: .all, target: .teams),
                      .grantTeamsUpgradePolicy(.skypeForBusinessWithTeamsCollabAndMeetings, migrateMeetingsToTeams: true)])
    func l1(_ change: DirectoryChange) {
        let (_, decision) = apply(change, to: Fixtures.user("ann", homing: .onPremises, mailbox: .onPremisesExchange))
        guard case .refuse(let reason) = decision else { Issue.record("expected refuse, got \(decision)"); return }
        #expect(reason.code == .mailboxOnPremises && reason.message.contains("Exchange Online"))
    }

    @Test("T2: licence assigned or removed triggers a refresh (all meetings, kind kept)")
    func t2Licence() {
        var user = Fixtures.user("ann")
        user.audioConferencing.licensed = false
        let (assigned, decision) = apply(.setAudioConferencingLicence(true), to: user)
        #expect(decision == .enqueue(MigrationScope(source: .all, target: .current)))
        #expect(assigned.audioConferencing.licensed)
        let (_, removed) = apply(.setAudioConferencingLicence(false), to: assigned)
        #expect(removed == .enqueue(MigrationScope(source: .all, target: .current)))
    }

    @Test("T2: a licence change for a user on a third-party provider does not trigger")
    func t2ThirdParty() {
        var user = Fixtures.user("ann")
        user.audioConferencing.provider = .thirdParty
        user.audioConferencing.licensed = false
        let (changed, decision) = apply(.setAudioConferencingLicence(true), to: user)
        #expect(reasonCode(decision) == .notATrigger && changed.audioConferencing.licensed)
    }

    @Test("T2: provider changed to Microsoft triggers only with a licence")
    func t2Provider() {
        var user = Fixtures.user("ann")
        user.audioConferencing.provider = .thirdParty
        #expect(apply(.setAudioConferencingProvider(.microsoft), to: user).1 == .enqueue(MigrationScope(source: .all, target: .current)))
        user.audioConferencing.licensed = false
        #expect(reasonCode(apply(.setAudioConferencingProvider(.microsoft), to: user).1) == .notATrigger)
        #expect(reasonCode(apply(.setAudioConferencingProvider(.thirdParty), to: Fixtures.user("bob")).1) == .notATrigger)
    }

    @Test("T2: enabling or disabling audio conferencing, changing or resetting the conference id, moving bridge trigger",
          arguments: [DirectoryChange.setAudioConferencingEnabled(false), .changeConferenceId("123123123"), .changeConferenceId(nil),
                      .moveToBridge(Fixtures.otherBridge.id), .bridgeNumberUnassigned("+13238867531")])
    func t2Others(_ change: DirectoryChange) {
        let (user, decision) = apply(change, to: Fixtures.user("ann", conferenceId: "111111111"))
        #expect(decision == .enqueue(MigrationScope(source: .all, target: .current)))
        if case .moveToBridge = change { #expect(user.audioConferencing.bridge == Fixtures.otherBridge.id && user.audioConferencing.conferenceId == "987654321") }
        if case .changeConferenceId(nil) = change { #expect(user.audioConferencing.conferenceId == "987654321") }
    }

    @Test("T2: setting a value it already has is not a change and queues nothing")
    func t2NoChange() {
        let user = Fixtures.user("ann", conferenceId: "111111111")
        #expect(reasonCode(apply(.setAudioConferencingEnabled(true), to: user).1) == .nothingChanged)
        #expect(reasonCode(apply(.changeConferenceId("111111111"), to: user).1) == .nothingChanged)
    }

    @Test("T3: TeamsOnly or SfBWithTeamsCollabAndMeetings granted to a user triggers a conversion to Teams",
          arguments: [TeamsUpgradeMode.teamsOnly, .skypeForBusinessWithTeamsCollabAndMeetings])
    func t3Triggers(_ mode: TeamsUpgradeMode) {
        let (user, decision) = apply(.grantTeamsUpgradePolicy(mode, migrateMeetingsToTeams: true), to: Fixtures.user("ann"))
        #expect(decision == .enqueue(MigrationScope(skypeMeetings: .convertToTeams, teamsMeetings: false)))
        #expect(user.teamsUpgradeMode == mode)
    }

    @Test("T3: MigrateMeetingsToTeams false applies the policy without migrating")
    func t3NoMigrate() {
        let (user, decision) = apply(.grantTeamsUpgradePolicy(.teamsOnly, migrateMeetingsToTeams: false), to: Fixtures.user("ann"))
        #expect(reasonCode(decision) == .notATrigger && user.teamsUpgradeMode == .teamsOnly)
    }

    @Test("T3: other modes do not trigger (Teams meetings are not turned back into Skype meetings)",
          arguments: [TeamsUpgradeMode.islands, .skypeForBusinessOnly, .skypeForBusinessWithTeamsCollab])
    func t3OtherModes(_ mode: TeamsUpgradeMode) {
        let (user, decision) = apply(.grantTeamsUpgradePolicy(mode, migrateMeetingsToTeams: true), to: Fixtures.user("ann"))
        #expect(reasonCode(decision) == .notATrigger && user.teamsUpgradeMode == mode)
    }

    @Test("T3: TeamsOnly cannot be granted to a user homed on-premises: refused, nothing changed")
    func t3OnPremises() {
        let (_, decision) = apply(.grantTeamsUpgradePolicy(.teamsOnly, migrateMeetingsToTeams: true), to: Fixtures.user("ann", homing: .onPremises))
        guard case .refuse(let reason) = decision else { Issue.record("expected refuse"); return }
        #expect(reason.code == .teamsOnlyRequiresOnlineHoming && reason.message.contains("Move-CsUser"))
    }

    @Test("T4: manual start maps source and target to a scope", arguments: SourceMeetingType.allCases, TargetMeetingType.allCases)
    func t4(_ source: SourceMeetingType, _ target: TargetMeetingType) {
        let decision = apply(.startMigration(source: source, target: target), to: Fixtures.user("ann")).1
        #expect(decision == .enqueue(MigrationScope(source: source, target: target)))
    }

    @Test("N1: changing the SIP address never triggers, but is applied")
    func n1() {
        let (user, decision) = apply(.changeSipAddress("sip:ann.new@contoso.com"), to: Fixtures.user("ann"))
        #expect(reasonCode(decision) == .notATrigger && user.sipAddress == "sip:ann.new@contoso.com")
    }

    @Test("S3: with MeetingMigrationEnabled off nothing triggers, T4 included",
          arguments: [DirectoryChange.moveUser(to: .online), .setAudioConferencingEnabled(false), .startMigration(source: .all, target: .current),
                      .grantTeamsUpgradePolicy(.teamsOnly, migrateMeetingsToTeams: true)])
    func s3(_ change: DirectoryChange) {
        var off = settings
        off.meetingMigrationEnabled = false
        let user = Fixtures.user("ann", homing: change == .moveUser(to: .online) ? .onPremises : .online)
        #expect(reasonCode(apply(change, to: user, settings: off).1) == .tenantMigrationDisabled)
    }

    @Test("S4: with AutomaticallyMigrateUserMeetings off, T2 changes do not trigger but T1, T3 and T4 still do")
    func s4() {
        var off = settings
        off.automaticallyMigrateUserMeetings = false
        for change in [DirectoryChange.setAudioConferencingEnabled(false), .setAudioConferencingLicence(false), .changeConferenceId(nil),
                       .moveToBridge(Fixtures.otherBridge.id), .bridgeNumberUnassigned("+13238867531")] {
            #expect(reasonCode(apply(change, to: Fixtures.user("ann"), settings: off).1) == .automaticMigrationDisabled, "\(change)")
        }
        #expect(reasonCode(apply(.moveUser(to: .online), to: Fixtures.user("ann", homing: .onPremises), settings: off).1) == nil)
        #expect(reasonCode(apply(.grantTeamsUpgradePolicy(.teamsOnly, migrateMeetingsToTeams: true), to: Fixtures.user("ann"), settings: off).1) == nil)
        #expect(reasonCode(apply(.startMigration(source: .all, target: .current), to: Fixtures.user("ann"), settings: off).1) == nil)
    }
}
