import Foundation
import MMSCore
import MMSMessages
import MMSRPC

/// `mms.v1.AdminService`: tenants and tokens.
struct AdminService: AdminServiceHandler {
    let access: any AccessStore
    let auth: Authenticator
    let audit: Auditor

    func createTenant(_ request: CreateTenantRequest, context: ServerContext) async throws -> Tenant {
        try await self.audit.run(context, target: request.tenantId, tenant: TenantID(request.tenantId), in: .access) {
            _ = try self.auth.require(.operatorOnly, context)
            let id = try Validate.tenantID(request.tenantId)
            try Validate.rule { try FieldRules.text(request.displayName, field: "display_name") }
            let record = TenantRecord(id: TenantID(id), displayName: request.displayName.isEmpty ? id : request.displayName, created: Date())
            try await Convert.engineCall { try await self.access.createTenant(record) }
            return Self.tenant(record)
        }
    }

    func listTenants(_ request: ListTenantsRequest, context: ServerContext) async throws -> ListTenantsResponse {
        _ = try self.auth.require(.operatorOnly, context)
        return ListTenantsResponse(tenants: try await self.access.tenants().map(Self.tenant))
    }

    func createToken(_ request: CreateTokenRequest, context: ServerContext) async throws -> CreateTokenResponse {
        try await self.audit.run(context, target: "", tenant: request.tenantId.isEmpty ? nil : TenantID(request.tenantId), in: .access) {
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
        try await self.audit.run(context, target: request.tokenId, tenant: self.auth.tokens().first(where: { $0.id == request.tokenId })?.tenant, in: .access) {
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
    }

    func whoAmI(_ request: WhoAmIRequest, context: ServerContext) async throws -> WhoAmIResponse {
        let caller = try self.auth.require(.tenantRead, context, allowOperator: true)
        let token = self.auth.tokens().first { $0.id == caller.tokenID }
        return WhoAmIResponse(token: token.map(Self.info))
    }

    func listAuditRecords(_ request: ListAuditRecordsRequest, context: ServerContext) async throws -> ListAuditRecordsResponse {
        // A tenant admin reads its tenant's trail, an operator the operator actions (R8); a reader neither.
        let caller = try self.auth.require(.tokenManagement, context)
        let identity = request.identity.isEmpty ? nil : request.identity
        let start = Convert.date(micros: request.startTimeMicros)
        let end = Convert.date(micros: request.endTimeMicros)
        if let start, let end, start > end {
            throw RPCError(.invalidArgument, "start_time_micros is after end_time_micros: the time window is empty")
        }
        let limit = request.limit == 0 ? 1000 : Int(min(request.limit, 10_000))
        let query = caller.role == .operator
            ? AuditQuery(role: .operator, target: identity, start: start, end: end, limit: limit)
            : AuditQuery(tenant: caller.tenant, target: identity, start: start, end: end, limit: limit)
        // Tenant and token changes are kept with the tokens, every other change with the engine's data.
        let records = try await self.audit.accessStore.auditRecords(query) + self.audit.engineStore.auditRecords(query)
        let newest = records.sorted { ($0.time, $0.id) > ($1.time, $1.id) }.prefix(limit)
        return ListAuditRecordsResponse(records: newest.map(Self.auditRecord))
    }

    static func auditRecord(_ record: MMSCore.AuditRecord) -> MMSMessages.AuditRecord {
        MMSMessages.AuditRecord(
            recordId: record.id, timeMicros: Convert.micros(record.time), tokenId: record.tokenID, role: Self.role(record.role),
            tenantId: record.tenant?.rawValue ?? "", call: record.call, target: record.target, outcome: record.outcome,
            detail: record.detail, correlationIds: record.correlationIDs)
    }

    static func role(_ role: MMSCore.Role) -> MMSMessages.Role {
        switch role {
        case .operator: .operator
        case .tenantAdmin: .tenantAdmin
        case .tenantReader: .tenantReader
        }
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
