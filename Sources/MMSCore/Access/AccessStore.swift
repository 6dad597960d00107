import Foundation

/// Who may do what: an operator manages tenants and their tokens; a tenant admin does
/// everything within one tenant; a tenant reader only reads within one tenant.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case `operator`
    case tenantAdmin
    case tenantReader
}

/// A tenant of the service: the unit of isolation for users, meetings and migrations.
public struct TenantRecord: Sendable, Hashable, Codable {
    public var id: TenantID
    public var displayName: String
    public var created: Date

    public init(id: TenantID, displayName: String, created: Date) {
        self.id = id
        self.displayName = displayName
        self.created = created
    }
}

/// An access token as stored: never the secret, only its SHA-256.
public struct AccessToken: Sendable, Hashable, Codable {
    /// Public part of the token, shown in lists and used to revoke it.
    public var id: String
    /// The tenant it acts on; nil for operator tokens.
    public var tenant: TenantID?
    public var role: Role
    public var description: String
    /// SHA-256 of the secret part.
    public var secretHash: [UInt8]
    public var created: Date
    public var revoked: Date?

    public init(id: String, tenant: TenantID?, role: Role, description: String, secretHash: [UInt8], created: Date, revoked: Date? = nil) {
        self.id = id
        self.tenant = tenant
        self.role = role
        self.description = description
        self.secretHash = secretHash
        self.created = created
        self.revoked = revoked
    }
}

/// Where tenants and token hashes are kept.
public protocol AccessStore: Sendable {
    /// Adds a tenant.
    /// - Throws: ``MigrationEngineError`` `alreadyExists` when the id is taken.
    func createTenant(_ tenant: TenantRecord) async throws
    /// Every tenant, by id.
    func tenants() async throws -> [TenantRecord]
    /// Adds a token.
    func saveToken(_ token: AccessToken) async throws
    /// Every token, revoked ones included, oldest first.
    func tokens() async throws -> [AccessToken]
    /// Marks a token revoked at `date` and returns it; nil when there is no such token.
    func revokeToken(id: String, at date: Date) async throws -> AccessToken?
}
