/// Applies a directory change to a user and decides, by the rules of MISSION.md,
/// whether it triggers a migration. Pure: no storage, no clock, so every rule is
/// testable on its own.
public enum TriggerPolicy {
    /// Applies `change` to `user` and returns what it means for migrations.
    ///
    /// - Parameters:
    ///   - change: the directory change.
    ///   - user: the user, changed in place; callers must discard the change on ``TriggerDecision/refuse(_:)``.
    ///   - settings: the tenant's switches (S3, S4).
    ///   - allocateConferenceId: gives a fresh conference id for the user's bridge when one is needed.
    /// - Returns: the decision.
    public static func apply(
        _ change: DirectoryChange,
        to user: inout User,
        settings: TenantSettings,
        allocateConferenceId: () -> String
    ) -> TriggerDecision {
        let before = user
        let proposed: MigrationScope?
        switch change {
        case .moveUser(let destination):
            switch (before.homing, destination) {
            case (.online, .onPremises):
                return .refuse(NotQueuedReason(
                    code: .movingBackToOnPremises,
                    message: "L2: \(user.userPrincipalName) is being moved from the cloud back to on-premises; "
                        + "the meeting migration service cannot be used for that move, nothing was changed",
                    changeApplied: false))
            case (.onPremises, .online):
                user.homing = .online
                user.teamsUpgradeMode = .teamsOnly
                // T1: meetings move to the cloud and become Teams meetings.
                proposed = MigrationScope(skypeMeetings: .convertToTeams, teamsMeetings: false)
            case (.online, .online), (.onPremises, .onPremises):
                return .noMigration(NotQueuedReason(
                    code: .nothingChanged,
                    message: "\(user.userPrincipalName) is already homed \(destination.displayName); nothing to migrate",
                    changeApplied: false))
            }

        case .setAudioConferencingLicence(let licensed):
            guard before.audioConferencing.licensed != licensed else {
                return unchanged(user, "the audio-conferencing licence is already \(licensed ? "assigned" : "removed")")
            }
            user.audioConferencing.licensed = licensed
            if licensed && user.audioConferencing.bridge != nil && user.audioConferencing.conferenceId == nil {
                user.audioConferencing.conferenceId = allocateConferenceId()
            }
            if before.audioConferencing.provider == .thirdParty {
                return .noMigration(NotQueuedReason(
                    code: .notATrigger,
                    message: "T2: \(user.userPrincipalName) uses a third-party audio-conferencing provider, "
                        + "so a licence change does not migrate meetings",
                    changeApplied: true))
            }
            proposed = MigrationScope(source: .all, target: .current)

        case .setAudioConferencingProvider(let provider):
            guard before.audioConferencing.provider != provider else {
                return unchanged(user, "the audio-conferencing provider is already \(provider.displayName)")
            }
            user.audioConferencing.provider = provider
            guard provider == .microsoft, before.audioConferencing.licensed else {
                return .noMigration(NotQueuedReason(
                    code: .notATrigger,
                    message: provider == .microsoft
                        ? "T2: the provider changed to Microsoft but \(user.userPrincipalName) has no audio-conferencing licence"
                        : "T2: only a change of provider to Microsoft migrates meetings",
                    changeApplied: true))
            }
            proposed = MigrationScope(source: .all, target: .current)

        case .setAudioConferencingEnabled(let enabled):
            guard before.audioConferencing.enabled != enabled else {
                return unchanged(user, "audio conferencing is already \(enabled ? "enabled" : "disabled")")
            }
            user.audioConferencing.enabled = enabled
            if enabled && user.audioConferencing.bridge != nil && user.audioConferencing.conferenceId == nil {
                user.audioConferencing.conferenceId = allocateConferenceId()
            }
            proposed = MigrationScope(source: .all, target: .current)

        case .changeConferenceId(let newId):
            let next = newId ?? allocateConferenceId()
            guard next != before.audioConferencing.conferenceId else {
                return unchanged(user, "the conference id is already \(next)")
            }
            user.audioConferencing.conferenceId = next
            proposed = MigrationScope(source: .all, target: .current)

        case .moveToBridge(let bridge):
            guard before.audioConferencing.bridge != bridge else {
                return unchanged(user, "\(user.userPrincipalName) is already on bridge \(bridge)")
            }
            user.audioConferencing.bridge = bridge
            // A conference id is unique on its bridge only: take a fresh one on the new bridge.
            user.audioConferencing.conferenceId = allocateConferenceId()
            proposed = MigrationScope(source: .all, target: .current)

        case .grantTeamsUpgradePolicy(let mode, let migrateMeetings):
            if mode == .teamsOnly && before.homing != .online {
                return .refuse(NotQueuedReason(
                    code: .teamsOnlyRequiresOnlineHoming,
                    message: "T3: TeamsOnly can be granted only to a user homed online; move \(user.userPrincipalName) "
                        + "with Move-CsUser instead, nothing was changed",
                    changeApplied: false))
            }
            user.teamsUpgradeMode = mode
            guard mode == .teamsOnly || mode == .skypeForBusinessWithTeamsCollabAndMeetings else {
                return .noMigration(NotQueuedReason(
                    code: .notATrigger,
                    message: "T3: granting \(mode.cmdletName) does not migrate meetings (Teams meetings are never turned back into Skype meetings)",
                    changeApplied: true))
            }
            guard migrateMeetings else {
                return .noMigration(NotQueuedReason(
                    code: .notATrigger,
                    message: "T3: MigrateMeetingsToTeams was false, so meetings were not migrated",
                    changeApplied: true))
            }
            proposed = MigrationScope(skypeMeetings: .convertToTeams, teamsMeetings: false)

        case .changeSipAddress(let address):
            user.sipAddress = address
            return .noMigration(NotQueuedReason(
                code: .notATrigger,
                message: "N1: changing the SIP address does not migrate meetings",
                changeApplied: true))

        case .startMigration(let source, let target):
            proposed = MigrationScope(source: source, target: target)

        case .bridgeNumberUnassigned:
            proposed = MigrationScope(source: .all, target: .current)
        }

        guard let scope = proposed else { return unchanged(user, "nothing to migrate") }
        if !settings.meetingMigrationEnabled {
            return .noMigration(NotQueuedReason(
                code: .tenantMigrationDisabled,
                message: "S3: MeetingMigrationEnabled is off for tenant \(settings.tenant), so no migration is triggered",
                changeApplied: change.isStartMigration ? false : true))
        }
        if change.isAudioConferencingChange && !settings.automaticallyMigrateUserMeetings {
            return .noMigration(NotQueuedReason(
                code: .automaticMigrationDisabled,
                message: "S4: AutomaticallyMigrateUserMeetings is off for tenant \(settings.tenant), "
                    + "so audio-conferencing changes do not migrate meetings",
                changeApplied: true))
        }
        if before.mailbox == .onPremisesExchange {
            return .refuse(NotQueuedReason(
                code: .mailboxOnPremises,
                message: "L1: the mailbox of \(user.userPrincipalName) is hosted in on-premises Exchange, so its meetings "
                    + "cannot be migrated; move the mailbox to Exchange Online first. Nothing was changed",
                changeApplied: false))
        }
        return .enqueue(scope)
    }

    private static func unchanged(_ user: User, _ what: String) -> TriggerDecision {
        .noMigration(NotQueuedReason(code: .nothingChanged, message: "\(user.userPrincipalName): \(what)", changeApplied: false))
    }
}

extension DirectoryChange {
    var isStartMigration: Bool {
        if case .startMigration = self { return true }
        return false
    }
}
