import Foundation
import MMSCore
import MMSMessages
import MMSRPC

/// `mms.v1.AdminService`: tenants and tokens.
struct AdminService: AdminServiceHandler {
    let access: any AccessStore
    let auth: Authenticator

    func createTenant(_ request: CreateTenantRequest, context: ServerContext) async throws -> Tenant {
        _ = try self.auth.require(.operatorOnly, context)
        let id = try Validate.tenantID(request.tenantId)
        try Validate.rule { try FieldRules.text(request.displayName, field: "display_name") }
        let record = TenantRecord(id: TenantID(id), displayName: request.displayName.isEmpty ? id : request.displayName, created: Date())
        try await Convert.engineCall { try await self.access.createTenant(record) }
        return Self.tenant(record)
    }

    func listTenants(_ request: ListTenantsRequest, context: ServerContext) async throws -> ListTenantsResponse {
        _ = try self.auth.require(.operatorOnly, context)
        return ListTenantsResponse(tenants: try await self.access.tenants().map(Self.tenant))
    }

    func createToken(_ request: CreateTokenRequest, context: ServerContext) async throws -> CreateTokenResponse {
        let caller = try self.auth.require(.tokenManagement, context)
        let role: MMSCore.Role
        switch request.role {
        case .unspecified: throw RPCError(.invalidArgument, "role is missing: give ROLE_OPERATOR, ROLE_TENANT_ADMIN or ROLE_TENANT_READER")
        case .operator: role = .operator
        case .tenantAdmin: role = .tenantAdmin
        case .tenantReader: role = .tenantReader
        }
        var tenant: TenantID?
        if role == .operator {
            guard caller.role == .operator else { throw RPCError(.permissionDenied, "only an operator can create operator tokens") }
            guard request.tenantId.isEmpty else { throw RPCError(.invalidArgument, "tenant_id must be empty for an operator token") }
        } else if caller.role == .operator {
            let id = try Validate.tenantID(request.tenantId)
            guard try await self.access.tenants().contains(where: { $0.id.rawValue == id }) else {
                throw RPCError(.notFound, "tenant '\(id)' does not exist: create it first (mms tenant create)")
            }
            tenant = TenantID(id)
        } else {
            // A tenant admin creates tokens for its own tenant only.
            guard request.tenantId.isEmpty || request.tenantId == caller.tenant?.rawValue else {
                throw RPCError(.notFound, "tenant \(FieldRules.quoted(request.tenantId)) does not exist")
            }
            tenant = caller.tenant
        }
        try Validate.rule { try FieldRules.text(request.description, field: "description") }
        let (token, secret) = try await self.auth.issue(tenant: tenant, role: role, description: request.description)
        return CreateTokenResponse(info: Self.info(token), token: secret)
    }

    func listTokens(_ request: ListTokensRequest, context: ServerContext) async throws -> ListTokensResponse {
        let caller = try self.auth.require(.tokenManagement, context)
        // A tenant admin names its own tenant or none; another tenant's is NOT_FOUND, as in CreateToken.
        if caller.role != .operator, !request.tenantId.isEmpty, request.tenantId != caller.tenant?.rawValue {
            throw RPCError(.notFound, "tenant \(FieldRules.quoted(request.tenantId)) does not exist")
        }
        // An operator naming a tenant that does not exist is told so (issue 14), not given an empty list.
        if caller.role == .operator, !request.tenantId.isEmpty,
           try await !self.access.tenants().contains(where: { $0.id.rawValue == request.tenantId }) {
            throw RPCError(.notFound, "tenant \(FieldRules.quoted(request.tenantId)) does not exist")
        }
        let visible = self.auth.tokens().filter { token in
            if caller.role == .operator {
                return request.tenantId.isEmpty || token.tenant?.rawValue == request.tenantId
            }
            return token.tenant == caller.tenant
        }
        return ListTokensResponse(tokens: visible.map(Self.info))
    }

    func revokeToken(_ request: RevokeTokenRequest, context: ServerContext) async throws -> TokenInfo {
        let caller = try self.auth.require(.tokenManagement, context)
        guard let existing = self.auth.tokens().first(where: { $0.id == request.tokenId }),
              caller.role == .operator || existing.tenant == caller.tenant
        else {
            throw RPCError(.notFound, "no token with id \(FieldRules.quoted(request.tokenId))")
        }
        guard let revoked = try await self.auth.revoke(id: existing.id) else {
            throw RPCError(.notFound, "no token with id \(FieldRules.quoted(request.tokenId))")
        }
        return Self.info(revoked)
    }

    func whoAmI(_ request: WhoAmIRequest, context: ServerContext) async throws -> WhoAmIResponse {
        let caller = try self.auth.require(.tenantRead, context, allowOperator: true)
        let token = self.auth.tokens().first { $0.id == caller.tokenID }
        return WhoAmIResponse(token: token.map(Self.info))
    }

    static func tenant(_ record: TenantRecord) -> Tenant {
        Tenant(tenantId: record.id.rawValue, displayName: record.displayName, createDateMicros: Convert.micros(record.created))
    }

    static func info(_ token: AccessToken) -> TokenInfo {
        let role: MMSMessages.Role
        switch token.role {
        case .operator: role = .operator
        case .tenantAdmin: role = .tenantAdmin
        case .tenantReader: role = .tenantReader
        }
        return TokenInfo(
            tokenId: token.id, tenantId: token.tenant?.rawValue ?? "", role: role, description: token.description,
            createDateMicros: Convert.micros(token.created), revokedDateMicros: token.revoked.map(Convert.micros) ?? 0
        )
    }
}
