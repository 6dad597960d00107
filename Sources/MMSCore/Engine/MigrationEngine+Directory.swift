import Foundation

/// The directory operations: each applies a change to a user and says whether it queued a
/// migration, and if not why (MISSION T1–T4, N1, N2, L1, L2, S3, S4).
extension MigrationEngine {
    /// Adds a user to the directory.
    /// - Throws: ``MigrationEngineError`` for an empty principal name or tenant, or a taken principal name.
    @discardableResult
    public func createUser(_ user: User) async throws -> User {
        try validate(user.tenant)
        var user = try FieldRules.user(user, fieldPrefix: "")
        if let bridge = user.audioConferencing.bridge, try await store.bridge(user.tenant, id: bridge) == nil {
            throw MigrationEngineError(code: .notFound, field: "bridge", message: "no bridge '\(bridge)' in tenant '\(user.tenant)'")
        }
        // A licensed user on a bridge gets a conference id at once, as a licence change would give one.
        if user.audioConferencing.licensed, user.audioConferencing.bridge != nil, user.audioConferencing.conferenceId == nil {
            user.audioConferencing.conferenceId = MigrationEngine.newConferenceId()
        }
        try await store.createUser(user)
        return user
    }

    /// The user with this principal name.
    /// - Throws: ``MigrationEngineError`` `.notFound`.
    public func user(tenant: TenantID, identity: String) async throws -> User {
        let identity = try validIdentity(identity)
        try validate(tenant)
        guard let user = try await store.user(tenant, principalName: identity) else {
            throw MigrationEngineError.unknownUser(identity, tenant: tenant)
        }
        return user
    }

    /// Applies any directory change to one user, atomically with the migration it triggers.
    ///
    /// The specific operations below are shorthands for this one.
    /// - Throws: ``MigrationEngineError`` for an empty or unknown identity, or an invalid value.
    public func applyDirectoryChange(tenant: TenantID, identity: String, _ change: DirectoryChange) async throws -> DirectoryChangeOutcome {
        try validate(tenant)
        let identity = try validIdentity(identity)
        var change = change
        switch change {
        case .changeSipAddress(let address):
            change = .changeSipAddress(try FieldRules.sipAddress(address))
        case .changeConferenceId(let id?):
            change = .changeConferenceId(try FieldRules.conferenceId(id))
        case .moveToBridge(let bridge):
            _ = try FieldRules.bridgeId(bridge.rawValue)
            guard try await store.bridge(tenant, id: bridge) != nil else {
                throw MigrationEngineError(code: .notFound, field: "bridge", message: "no bridge '\(bridge)' in tenant '\(tenant)'")
            }
        default:
            break
        }
        let parameters = EnqueueParameters(now: clock.now(), hold: configuration.hold, trigger: change.triggerName)
        let outcome = try await store.modifyUser(tenant, principalName: identity, parameters: parameters) { [change] user, settings in
            TriggerPolicy.apply(change, to: &user, settings: settings, allocateConferenceId: MigrationEngine.newConferenceId)
        }
        logger.info("directory change", metadata: [
            "tenant": "\(tenant)", "user": "\(identity)", "change": "\(change.triggerName)",
            "queued": "\(outcome.migration.isQueued)",
        ])
        return outcome
    }

    /// `Move-CsUser` (T1 to online; L2 back to on-premises is refused).
    public func moveUser(tenant: TenantID, identity: String, to homing: Homing) async throws -> DirectoryChangeOutcome {
        try await applyDirectoryChange(tenant: tenant, identity: identity, .moveUser(to: homing))
    }

    /// Assigns or removes the audio-conferencing licence (T2).
    public func setAudioConferencingLicence(tenant: TenantID, identity: String, assigned: Bool) async throws -> DirectoryChangeOutcome {
        try await applyDirectoryChange(tenant: tenant, identity: identity, .setAudioConferencingLicence(assigned))
    }

    /// Changes the audio-conferencing provider (T2 when it becomes Microsoft for a licensed user).
    public func setAudioConferencingProvider(tenant: TenantID, identity: String, provider: AudioConferencingProvider) async throws -> DirectoryChangeOutcome {
        try await applyDirectoryChange(tenant: tenant, identity: identity, .setAudioConferencingProvider(provider))
    }

    /// Enables or disables audio conferencing for the user (T2).
    public func setAudioConferencingEnabled(tenant: TenantID, identity: String, enabled: Bool) async throws -> DirectoryChangeOutcome {
        try await applyDirectoryChange(tenant: tenant, identity: identity, .setAudioConferencingEnabled(enabled))
    }

    /// Sets the user's conference id (T2). - Throws: when not digits, or already used on the bridge.
    public func changeConferenceId(tenant: TenantID, identity: String, to conferenceId: String) async throws -> DirectoryChangeOutcome {
        try await applyDirectoryChange(tenant: tenant, identity: identity, .changeConferenceId(conferenceId))
    }

    /// Resets the user's conference id to a fresh one (T2).
    public func resetConferenceId(tenant: TenantID, identity: String) async throws -> DirectoryChangeOutcome {
        try await applyDirectoryChange(tenant: tenant, identity: identity, .changeConferenceId(nil))
    }

    /// Moves the user to another bridge (T2). - Throws: ``MigrationEngineError`` `.notFound` for an unknown bridge.
    public func moveUserToBridge(tenant: TenantID, identity: String, bridge: BridgeID) async throws -> DirectoryChangeOutcome {
        try await applyDirectoryChange(tenant: tenant, identity: identity, .moveToBridge(bridge))
    }

    /// `Grant-CsTeamsUpgradePolicy -Identity` (T3).
    public func grantTeamsUpgradePolicy(
        tenant: TenantID, identity: String, mode: TeamsUpgradeMode, migrateMeetingsToTeams: Bool = true
    ) async throws -> DirectoryChangeOutcome {
        try await applyDirectoryChange(tenant: tenant, identity: identity, .grantTeamsUpgradePolicy(mode, migrateMeetingsToTeams: migrateMeetingsToTeams))
    }

    /// `Grant-CsTeamsUpgradePolicy -Global` (T3): sets the tenant's default mode; never triggers.
    public func grantTenantTeamsUpgradePolicy(tenant: TenantID, mode: TeamsUpgradeMode, migrateMeetingsToTeams: Bool = true) async throws -> NotQueuedReason {
        _ = try await updateSettings(tenant) { $0.defaultTeamsUpgradeMode = mode }
        return NotQueuedReason(
            code: .notATrigger,
            message: "T3: a tenant-wide TeamsUpgradePolicy grant does not migrate meetings; grant it per user, or run Start-CsExMeetingMigration",
            changeApplied: true)
    }

    /// Changes the user's SIP address (N1: never triggers).
    public func changeSipAddress(tenant: TenantID, identity: String, to sipAddress: String) async throws -> DirectoryChangeOutcome {
        try await applyDirectoryChange(tenant: tenant, identity: identity, .changeSipAddress(sipAddress))
    }

    /// `Update-CsTenantMeetingUrl` (N2: never triggers).
    public func updateTenantMeetingURL(tenant: TenantID, host: String) async throws -> NotQueuedReason {
        let host = try FieldRules.meetingURLHost(host)
        _ = try await updateSettings(tenant) { $0.meetingURLHost = host }
        return NotQueuedReason(code: .notATrigger, message: "N2: changing the tenant's meeting URL does not migrate meetings", changeApplied: true)
    }

    /// Adds or replaces an audio-conferencing bridge.
    public func saveBridge(_ bridge: Bridge) async throws {
        try validate(bridge.tenant)
        _ = try FieldRules.bridgeId(bridge.id.rawValue)
        try await store.saveBridge(bridge)
    }

    /// The bridge, if it exists.
    public func bridge(tenant: TenantID, id: BridgeID) async throws -> Bridge? {
        try validate(tenant)
        return try await store.bridge(tenant, id: id)
    }

    /// Unassigns a phone number from a bridge (T2): every user of the bridge whose invitations carry
    /// that number gets a migration.
    /// - Returns: one outcome per affected user.
    /// - Throws: ``MigrationEngineError`` `.notFound` for an unknown bridge or a number it does not have.
    public func unassignBridgeNumber(tenant: TenantID, bridge bridgeId: BridgeID, number: String) async throws -> [DirectoryChangeOutcome] {
        try validate(tenant)
        guard var bridge = try await store.bridge(tenant, id: bridgeId) else {
            throw MigrationEngineError(code: .notFound, field: "bridge", message: "no bridge '\(bridgeId)' in tenant '\(tenant)'")
        }
        guard bridge.numbers.contains(where: { $0.number == number }) else {
            throw MigrationEngineError(code: .notFound, field: "number", message: "bridge '\(bridgeId)' has no number '\(number)'")
        }
        bridge.numbers.removeAll { $0.number == number }
        try await store.saveBridge(bridge)
        var outcomes: [DirectoryChangeOutcome] = []
        for user in try await store.users(tenant, onBridge: bridgeId) {
            let carriesNumber = try await store.onlineMeetings(tenant, organizedBy: user.id)
                .contains { $0.dialInNumbers.contains { $0.number == number } }
            guard carriesNumber else { continue }
            outcomes.append(try await applyDirectoryChange(tenant: tenant, identity: user.userPrincipalName, .bridgeNumberUnassigned(number)))
        }
        return outcomes
    }

    func validIdentity(_ identity: String) throws -> String {
        let trimmed = identity.trimmingWhitespace()
        if trimmed.isEmpty { throw MigrationEngineError.emptyField("identity") }
        return trimmed
    }

    /// A random 9-digit conference id; the store rejects one already used on the bridge.
    @Sendable static func newConferenceId() -> String {
        String(UInt32.random(in: 100_000_000...999_999_999))
    }
}
