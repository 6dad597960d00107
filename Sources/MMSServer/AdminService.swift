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
            let id = try Validate.tenantID(request.tenantId)
            try Validate.rule { try FieldRules.text(request.displayName, field: "display_name") }
            let record = TenantRecord(id: TenantID(id), displayName: request.displayName.isEmpty ? id : request.displayName, created: Date())
            try await Convert.engineCall { try await self.access.createTenant(record) }
            return Self.tenant(record)
        }
    }

    func listTenants(_ request: ListTenantsRequest, context: ServerContext) async throws -> ListTenantsResponse {
        let after = try Paging.key(request.pageToken, scope: "ListTenants", parts: 1)
        let tenants = try await self.access.tenants().sorted { $0.id.rawValue < $1.id.rawValue }
        let page = Paging.page(tenants, after: after, size: Paging.size(request.pageSize)) { [$0.id.rawValue] }
        return ListTenantsResponse(
            tenants: page.items.map(Self.tenant), nextPageToken: page.next.map { Paging.token(scope: "ListTenants", key: $0) } ?? "")
    }

    func createToken(_ request: CreateTokenRequest, context: ServerContext) async throws -> CreateTokenResponse {
        try await self.audit.run(context, target: "", tenant: request.tenantId.isEmpty ? nil : TenantID(request.tenantId), in: .access) {
            let caller = try Caller.principal()
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
        let caller = try Caller.principal()
        let scope = "ListTokens\n\(request.tenantId)"
        let after = try Paging.key(request.pageToken, scope: scope, parts: 2)
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
        // tokens() is by creation, then id.
        let page = Paging.page(visible, after: after, size: Paging.size(request.pageSize)) { [Paging.sortable(Convert.micros($0.created)), $0.id] }
        return ListTokensResponse(tokens: page.items.map(Self.info), nextPageToken: page.next.map { Paging.token(scope: scope, key: $0) } ?? "")
    }

    func revokeToken(_ request: RevokeTokenRequest, context: ServerContext) async throws -> TokenInfo {
        try await self.audit.run(context, target: request.tokenId, tenant: self.auth.tokens().first(where: { $0.id == request.tokenId })?.tenant, in: .access) {
            let caller = try Caller.principal()
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
        let caller = try Caller.principal()
        let token = self.auth.tokens().first { $0.id == caller.tokenID }
        return WhoAmIResponse(token: token.map(Self.info))
    }

    func listAuditRecords(_ request: ListAuditRecordsRequest, context: ServerContext) async throws -> ListAuditRecordsResponse {
        // A tenant admin reads its tenant's trail, an operator the operator actions (R8); a reader neither.
        let caller = try Caller.principal()
        let identity = request.identity.isEmpty ? nil : request.identity
        let start = Convert.date(micros: request.startTimeMicros)
        let end = Convert.date(micros: request.endTimeMicros)
        if let start, let end, start > end {
            throw RPCError(.invalidArgument, "start_time_micros is after end_time_micros: the time window is empty")
        }
        let size = Paging.size(request.pageSize, limit: request.limit)
        let scope = "ListAuditRecords\n\(identity ?? "")\n\(request.startTimeMicros)\n\(request.endTimeMicros)"
        let after = try Paging.key(request.pageToken, scope: scope, parts: 2)
        func key(_ record: MMSCore.AuditRecord) -> [String] { [Paging.sortable(Convert.micros(record.time)), record.id] }
        // Newest first; a next page starts at the cursor's time (records of that same microsecond
        // already sent are dropped by key), so ask the stores for more until a page is full or they run out.
        // The cursor's time, a millisecond late: what that re-reads is dropped by key.
        let cursorTime = after.flatMap { Paging.number($0[0]) }.map { Date(timeIntervalSince1970: Double($0) / 1_000_000 + 0.001) }
        let bound = [end, cursorTime].compactMap { $0 }.min()
        var fetch = size + 1
        var records: [(key: [String], record: MMSCore.AuditRecord)] = []
        while true {
            let query = caller.role == .operator
                ? AuditQuery(role: .operator, target: identity, start: start, end: bound, limit: fetch)
                : AuditQuery(tenant: caller.tenant, target: identity, start: start, end: bound, limit: fetch)
            // Tenant and token changes are kept with the tokens, every other change with the engine's data.
            let fromAccess = try await self.audit.accessStore.auditRecords(query)
            let fromEngine = try await self.audit.engineStore.auditRecords(query)
            records = (fromAccess + fromEngine).map { (key: key($0), record: $0) }
                .filter { entry in after.map { entry.key.lexicographicallyPrecedes($0) } ?? true }
                .sorted { $1.key.lexicographicallyPrecedes($0.key) }
            let exhausted = fromAccess.count < fetch && fromEngine.count < fetch
            if records.count > size || exhausted { break }
            fetch *= 2
        }
        let page = Paging.page(records, after: nil, size: size, descending: true, key: \.key)
        return ListAuditRecordsResponse(
            records: page.items.map { Self.auditRecord($0.record) }, nextPageToken: page.next.map { Paging.token(scope: scope, key: $0) } ?? "")
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
