import Foundation

extension MigrationEngine {
    /// The tenant's users by principal name, at most `limit`, after the principal name `after` when given.
    public func users(tenant: TenantID, after: String? = nil, limit: Int = 1000) async throws -> [User] {
        try validate(tenant)
        return try await store.users(tenant, after: after, limit: max(1, limit))
    }

    /// The user with stable id `id`.
    /// - Throws: ``MigrationEngineError`` `.notFound` when the tenant has no such user.
    public func user(tenant: TenantID, id: UserID) async throws -> User {
        try validate(tenant)
        guard let user = try await store.user(tenant, id: id) else {
            throw MigrationEngineError(code: .notFound, field: "user_id", message: "no user with id '\(id)' in tenant '\(tenant)'")
        }
        return user
    }

    /// The tenant's audio-conferencing bridges by id.
    public func bridges(tenant: TenantID) async throws -> [Bridge] {
        try validate(tenant)
        return try await store.bridges(tenant)
    }
}
