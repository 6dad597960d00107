import Foundation
import MMSCore
import MMSMessages
import MMSRPC

/// `mms.v1.DirectoryService`: users, bridges and policies; every trigger and non-trigger of MISSION.md.
struct DirectoryService: DirectoryServiceHandler {
    let engine: MigrationEngine
    let auth: Authenticator
    let audit: Auditor

    func createUser(_ request: CreateUserRequest, context: ServerContext) async throws -> MMSMessages.User {
        try await self.audit.run(context, target: request.user?.userPrincipalName ?? "") {
            let tenant = try Caller.tenant()
            guard let user = request.user else { throw RPCError(.invalidArgument, "user is missing") }
            let created = try await Convert.engineCall { try await self.engine.createUser(try Convert.newUser(user, tenant: tenant)) }
            return Convert.user(created)
        }
    }

    func getUser(_ request: GetUserRequest, context: ServerContext) async throws -> MMSMessages.User {
        let tenant = try Caller.tenant()
        let identity = try Validate.identity(request.identity)
        return Convert.user(try await Convert.engineCall { try await self.engine.user(tenant: tenant, identity: identity) })
    }

    func listUsers(_ request: ListUsersRequest, context: ServerContext) async throws -> ListUsersResponse {
        let tenant = try Caller.tenant()
        let size = Paging.size(request.pageSize, limit: request.limit)
        let after = try Paging.key(request.pageToken, scope: "ListUsers", parts: 1)?.first
        // One more than the page tells whether there is a next page.
        let users = try await Convert.engineCall { try await self.engine.users(tenant: tenant, after: after, limit: size + 1) }
        let page = users.prefix(size)
        let next = users.count > size ? page.last.map { Paging.token(scope: "ListUsers", key: [$0.userPrincipalName.lowercased()]) } : nil
        return ListUsersResponse(users: page.map(Convert.user), nextPageToken: next ?? "")
    }

    /// Applies one change to one user and reports what it queued.
    ///
    /// The caller is authenticated and authorised before anything of the request is looked at;
    /// `validate` then checks the change's own fields, and the identity comes last.
    private func change<Value: Sendable>(
        _ context: ServerContext, _ identity: String,
        validate: () throws -> Value,
        _ body: @Sendable (TenantID, String, Value) async throws -> DirectoryChangeOutcome
    ) async throws -> DirectoryChangeResponse {
        try await self.audit.run(context, target: identity, describe: Convert.changeAudit) {
            let tenant = try Caller.tenant()
            let value = try validate()
            let identity = try Validate.identity(identity)
            return Convert.change(try await Convert.engineCall { try await body(tenant, identity, value) })
        }
    }

    private func change(
        _ context: ServerContext, _ identity: String,
        _ body: @Sendable (TenantID, String) async throws -> DirectoryChangeOutcome
    ) async throws -> DirectoryChangeResponse {
        try await self.change(context, identity, validate: { () }) { tenant, identity, _ in try await body(tenant, identity) }
    }

    func moveUser(_ request: MoveUserRequest, context: ServerContext) async throws -> DirectoryChangeResponse {
        try await self.change(context, request.identity, validate: { try Convert.homing(request.to, field: "to") }) {
            try await self.engine.moveUser(tenant: $0, identity: $1, to: $2)
        }
    }

    func grantTeamsUpgradePolicy(_ request: GrantTeamsUpgradePolicyRequest, context: ServerContext) async throws -> DirectoryChangeResponse {
        try await self.change(context, request.identity, validate: { try Convert.mode(request.mode, field: "mode") }) {
            try await self.engine.grantTeamsUpgradePolicy(tenant: $0, identity: $1, mode: $2, migrateMeetingsToTeams: !request.skipMeetingMigration)
        }
    }

    func grantTenantTeamsUpgradePolicy(_ request: GrantTenantTeamsUpgradePolicyRequest, context: ServerContext) async throws -> DirectoryChangeResponse {
        try await self.audit.run(context, target: "", describe: Convert.changeAudit) {
            let tenant = try Caller.tenant()
            let mode = try Convert.mode(request.mode, field: "mode")
            let reason = try await Convert.engineCall {
                try await self.engine.grantTenantTeamsUpgradePolicy(tenant: tenant, mode: mode, migrateMeetingsToTeams: !request.skipMeetingMigration)
            }
            return Convert.notQueued(reason)
        }
    }

    func setAudioConferencingLicence(_ request: SetAudioConferencingLicenceRequest, context: ServerContext) async throws -> DirectoryChangeResponse {
        try await self.change(context, request.identity) {
            try await self.engine.setAudioConferencingLicence(tenant: $0, identity: $1, assigned: request.licensed)
        }
    }

    func setAudioConferencingProvider(_ request: SetAudioConferencingProviderRequest, context: ServerContext) async throws -> DirectoryChangeResponse {
        try await self.change(context, request.identity, validate: { try Convert.provider(request.provider, field: "provider") }) {
            try await self.engine.setAudioConferencingProvider(tenant: $0, identity: $1, provider: $2)
        }
    }

    func setAudioConferencingEnabled(_ request: SetAudioConferencingEnabledRequest, context: ServerContext) async throws -> DirectoryChangeResponse {
        try await self.change(context, request.identity) {
            try await self.engine.setAudioConferencingEnabled(tenant: $0, identity: $1, enabled: request.enabled)
        }
    }

    func changeConferenceId(_ request: ChangeConferenceIdRequest, context: ServerContext) async throws -> DirectoryChangeResponse {
        // Empty resets the id; anything else follows the one conference-id rule.
        let validate = { () throws -> String? in
            request.conferenceId.trimmingWhitespace().isEmpty ? nil : try Validate.rule { try FieldRules.conferenceId(request.conferenceId) }
        }
        return try await self.change(context, request.identity, validate: validate) {
            if let id = $2 { try await self.engine.changeConferenceId(tenant: $0, identity: $1, to: id) }
            else { try await self.engine.resetConferenceId(tenant: $0, identity: $1) }
        }
    }

    func moveUserToBridge(_ request: MoveUserToBridgeRequest, context: ServerContext) async throws -> DirectoryChangeResponse {
        try await self.change(context, request.identity, validate: { try Validate.rule { try FieldRules.bridgeId(request.bridgeId) } }) {
            try await self.engine.moveUserToBridge(tenant: $0, identity: $1, bridge: BridgeID($2))
        }
    }

    func changeSipAddress(_ request: ChangeSipAddressRequest, context: ServerContext) async throws -> DirectoryChangeResponse {
        try await self.change(context, request.identity, validate: { try Validate.rule { try FieldRules.sipAddress(request.sipAddress) } }) {
            try await self.engine.changeSipAddress(tenant: $0, identity: $1, to: $2)
        }
    }

    func updateTenantMeetingUrl(_ request: UpdateTenantMeetingUrlRequest, context: ServerContext) async throws -> DirectoryChangeResponse {
        try await self.audit.run(context, target: "", describe: Convert.changeAudit) {
            let tenant = try Caller.tenant()
            let host = try Validate.rule { try FieldRules.meetingURLHost(request.host) }
            let reason = try await Convert.engineCall { try await self.engine.updateTenantMeetingURL(tenant: tenant, host: host) }
            return Convert.notQueued(reason)
        }
    }

    func saveBridge(_ request: SaveBridgeRequest, context: ServerContext) async throws -> MMSMessages.Bridge {
        try await self.audit.run(context, target: request.bridge?.bridgeId ?? "") {
            let tenant = try Caller.tenant()
            guard let bridge = request.bridge else { throw RPCError(.invalidArgument, "bridge is missing") }
            _ = try Validate.rule { try FieldRules.bridgeId(bridge.bridgeId, field: "bridge.bridge_id") }
            try Validate.rule { try FieldRules.text(bridge.name, field: "bridge.name") }
            for (index, number) in bridge.numbers.enumerated() {
                guard number.number.hasPrefix("+"), number.number.utf8.dropFirst().allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                      (8...16).contains(number.number.utf8.count)
                else {
                    throw RPCError(.invalidArgument, "bridge.numbers[\(index)].number \(FieldRules.quoted(number.number)) is not an E.164 number like +13238867531")
                }
                try Validate.rule { try FieldRules.text(number.label, field: "bridge.numbers[\(index)].label") }
            }
            let saved = MMSCore.Bridge(
                id: BridgeID(bridge.bridgeId), tenant: tenant, name: bridge.name,
                numbers: bridge.numbers.map { MMSCore.DialInNumber(number: $0.number, label: $0.label) }
            )
            try await Convert.engineCall { try await self.engine.saveBridge(saved) }
            return Convert.bridge(saved)
        }
    }

    func listBridges(_ request: ListBridgesRequest, context: ServerContext) async throws -> ListBridgesResponse {
        let tenant = try Caller.tenant()
        let after = try Paging.key(request.pageToken, scope: "ListBridges", parts: 1)
        let bridges = try await Convert.engineCall { try await self.engine.bridges(tenant: tenant) }.sorted { $0.id.rawValue < $1.id.rawValue }
        let page = Paging.page(bridges, after: after, size: Paging.size(request.pageSize)) { [$0.id.rawValue] }
        return ListBridgesResponse(
            bridges: page.items.map(Convert.bridge), nextPageToken: page.next.map { Paging.token(scope: "ListBridges", key: $0) } ?? "")
    }

    func unassignBridgeNumber(_ request: UnassignBridgeNumberRequest, context: ServerContext) async throws -> UnassignBridgeNumberResponse {
        try await self.audit.run(context, target: request.bridgeId) {
            let tenant = try Caller.tenant()
            let bridgeId = try Validate.rule { try FieldRules.bridgeId(request.bridgeId) }
            guard !request.number.isEmpty else { throw RPCError(.invalidArgument, "number is empty: give the number to unassign, e.g. +18005550100") }
            let outcomes = try await Convert.engineCall {
                try await self.engine.unassignBridgeNumber(tenant: tenant, bridge: BridgeID(bridgeId), number: request.number)
            }
            let bridges = try await Convert.engineCall { try await self.engine.bridges(tenant: tenant) }
            return UnassignBridgeNumberResponse(
                bridge: bridges.first { $0.id.rawValue == request.bridgeId }.map(Convert.bridge),
                outcomes: outcomes.map(Convert.change)
            )
        }
    }
}
