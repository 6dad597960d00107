import MMSCore
import MMSMessages
import MMSRPC

/// What a method needs of its caller. ``AccessInterceptor`` checks it before the request is read.
struct MethodAccess: Sendable {
    enum Need: Sendable {
        /// Anyone, with or without a token (Health).
        case nothing
        /// Any valid token, whatever its role (WhoAmI).
        case anyToken
        /// A tenant token whose role allows `permission` (tenantRead or tenantWrite); the call acts on its tenant.
        case tenant(Permission)
        /// A token whose role allows `permission` (operatorOnly, tokenManagement).
        case role(Permission)
    }

    let need: Need
    /// Where a change's audit record goes (R8); nil for calls that change nothing and are not recorded.
    let audited: Auditor.Place?

    static let open = MethodAccess(need: .nothing, audited: nil)
    static let anyToken = MethodAccess(need: .anyToken, audited: nil)
    static let tenantRead = MethodAccess(need: .tenant(.tenantRead), audited: nil)
    static let tenantWrite = MethodAccess(need: .tenant(.tenantWrite), audited: .engine)
    /// A tenant admin's call that changes nothing (a connection test).
    static let tenantWriteUnaudited = MethodAccess(need: .tenant(.tenantWrite), audited: nil)
    static func role(_ permission: Permission, audited: Auditor.Place? = nil) -> MethodAccess {
        MethodAccess(need: .role(permission), audited: audited)
    }
}

/// Every method's access rule, in one table (issue 16). A method the server registers that is not
/// here stops the server at start (``AccessPolicy/check(_:)``), and the interceptor refuses it
/// anyway: a new method cannot be served unchecked by forgetting it.
enum AccessPolicy {
    /// - Throws: when `methodNames` holds a method with no rule.
    static func check(_ methodNames: [String], policies: [String: MethodAccess] = Self.methods) throws {
        let missing = methodNames.filter { policies[$0] == nil }
        guard missing.isEmpty else {
            throw RPCError(.internalError, "no access rule for \(missing.joined(separator: ", ")): add it to AccessPolicy.methods")
        }
    }

    static let methods: [String: MethodAccess] = [
        HealthMethods.check.fullName: .open,

        AdminServiceMethods.createTenant.fullName: .role(.operatorOnly, audited: .access),
        AdminServiceMethods.listTenants.fullName: .role(.operatorOnly),
        AdminServiceMethods.createToken.fullName: .role(.tokenManagement, audited: .access),
        AdminServiceMethods.listTokens.fullName: .role(.tokenManagement),
        AdminServiceMethods.revokeToken.fullName: .role(.tokenManagement, audited: .access),
        AdminServiceMethods.whoAmI.fullName: .anyToken,
        AdminServiceMethods.listAuditRecords.fullName: .role(.tokenManagement),

        CalendarServiceMethods.addMeeting.fullName: .tenantWrite,
        CalendarServiceMethods.listMeetings.fullName: .tenantRead,
        CalendarServiceMethods.getMeeting.fullName: .tenantRead,
        CalendarServiceMethods.listInvitations.fullName: .tenantRead,
        CalendarServiceMethods.importMeetings.fullName: .tenantWrite,

        DirectoryServiceMethods.createUser.fullName: .tenantWrite,
        DirectoryServiceMethods.getUser.fullName: .tenantRead,
        DirectoryServiceMethods.listUsers.fullName: .tenantRead,
        DirectoryServiceMethods.moveUser.fullName: .tenantWrite,
        DirectoryServiceMethods.grantTeamsUpgradePolicy.fullName: .tenantWrite,
        DirectoryServiceMethods.grantTenantTeamsUpgradePolicy.fullName: .tenantWrite,
        DirectoryServiceMethods.setAudioConferencingLicence.fullName: .tenantWrite,
        DirectoryServiceMethods.setAudioConferencingProvider.fullName: .tenantWrite,
        DirectoryServiceMethods.setAudioConferencingEnabled.fullName: .tenantWrite,
        DirectoryServiceMethods.changeConferenceId.fullName: .tenantWrite,
        DirectoryServiceMethods.moveUserToBridge.fullName: .tenantWrite,
        DirectoryServiceMethods.changeSipAddress.fullName: .tenantWrite,
        DirectoryServiceMethods.updateTenantMeetingUrl.fullName: .tenantWrite,
        DirectoryServiceMethods.saveBridge.fullName: .tenantWrite,
        DirectoryServiceMethods.listBridges.fullName: .tenantRead,
        DirectoryServiceMethods.unassignBridgeNumber.fullName: .tenantWrite,

        MigrationServiceMethods.startMeetingMigration.fullName: .tenantWrite,
        MigrationServiceMethods.getMigrationStatus.fullName: .tenantRead,
        MigrationServiceMethods.listMeetingOutcomes.fullName: .tenantRead,
        MigrationServiceMethods.watchMigration.fullName: .tenantRead,
        MigrationServiceMethods.previewMeetingMigration.fullName: .tenantRead,

        TenantConfigurationServiceMethods.getTenantMigrationConfiguration.fullName: .tenantRead,
        TenantConfigurationServiceMethods.setTenantMigrationConfiguration.fullName: .tenantWrite,
        TenantConfigurationServiceMethods.getDialInConferencingTenantSettings.fullName: .tenantRead,
        TenantConfigurationServiceMethods.setDialInConferencingTenantSettings.fullName: .tenantWrite,
        TenantConfigurationServiceMethods.getMailboxSettings.fullName: .tenantRead,
        TenantConfigurationServiceMethods.setMailboxSettings.fullName: .tenantWrite,
        TenantConfigurationServiceMethods.testMailboxSettings.fullName: .tenantWriteUnaudited,
        TenantConfigurationServiceMethods.getMailSettings.fullName: .tenantRead,
        TenantConfigurationServiceMethods.setMailSettings.fullName: .tenantWrite,
        TenantConfigurationServiceMethods.testMailSettings.fullName: .tenantWriteUnaudited,
    ]
}

/// The caller of the call being served, as ``AccessInterceptor`` authenticated it.
enum Caller {
    @TaskLocal static var current: Principal?

    /// The caller. Only a method whose rule is `.nothing` runs without one.
    static func principal() throws(RPCError) -> Principal {
        guard let principal = Self.current else {
            throw RPCError(.internalError, "the call ran without an authenticated caller")
        }
        return principal
    }

    /// The tenant a tenant-scoped call acts on: its token's.
    static func tenant() throws(RPCError) -> TenantID {
        guard let tenant = Self.current?.tenant else {
            throw RPCError(.internalError, "the call ran without a tenant caller")
        }
        return tenant
    }
}

/// Authentication and authorisation of every call, before its request is decoded (issue 16).
///
/// The order is fixed for every method (PROTOCOL.md, "Order of checks"): the token
/// (`UNAUTHENTICATED`), then the role and whether it is a tenant's (`PERMISSION_DENIED`), then the
/// request is decoded and validated (`INVALID_ARGUMENT`) and the handler's own checks run. A peer
/// without a valid token learns nothing of a method but that it exists. A denial of a method that
/// changes data is recorded in the audit trail (R8) with an empty target, since the request was
/// not read; a call without a valid token is not (no one to name), it is logged by the transport.
struct AccessInterceptor: ServerInterceptor {
    let auth: Authenticator
    let audit: Auditor
    let policies: [String: MethodAccess]

    init(auth: Authenticator, audit: Auditor, policies: [String: MethodAccess] = AccessPolicy.methods) {
        self.auth = auth
        self.audit = audit
        self.policies = policies
    }

    func intercept<Output: Sendable>(
        _ context: ServerContext, next: (ServerContext) async throws -> Output
    ) async throws -> Output {
        guard let policy = self.policies[context.method] else {
            // Registered after the check (not done by this server): refuse rather than serve unchecked.
            throw RPCError(.permissionDenied, "no access rule for \(context.method)")
        }
        let permission: Permission
        var needsTenant = false
        switch policy.need {
        case .nothing:
            return try await next(context)
        case .anyToken:
            let principal = try self.auth.authenticate(context)
            return try await Caller.$current.withValue(principal) { try await next(context) }
        case .tenant(let needed):
            permission = needed
            needsTenant = true
        case .role(let needed):
            permission = needed
        }
        let principal = try self.auth.authenticate(context)
        do {
            try self.auth.authorize(principal, permission)
            if needsTenant, principal.tenant == nil {
                throw RPCError(.permissionDenied, "this call needs a tenant token; operator tokens manage tenants only")
            }
        } catch {
            if let place = policy.audited {
                await self.audit.recordDenial(error, of: principal, context, in: place)
            }
            throw error
        }
        return try await Caller.$current.withValue(principal) { try await next(context) }
    }
}
