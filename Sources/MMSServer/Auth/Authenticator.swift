import Crypto
import Foundation
import Logging
import MMSCore
import MMSRPC
import Synchronization

/// The caller of a call, as its token says.
struct Principal: Sendable, Hashable {
    let tokenID: String
    let role: Role
    /// The tenant a tenant token acts on; nil for operators.
    let tenant: TenantID?
}

/// What a call needs from its caller.
enum Permission: Sendable {
    /// Reading a tenant's data: a tenant admin or reader.
    case tenantRead
    /// Changing a tenant's data: a tenant admin.
    case tenantWrite
    /// Managing tenants: an operator.
    case operatorOnly
    /// Managing tokens: an operator, or a tenant admin for its own tenant.
    case tokenManagement
}

/// Checks bearer tokens and issues new ones.
///
/// Tokens look like `mms_<id>_<secret>`: the id is public (lists, revocation), the secret is
/// 32 random bytes shown once; only its SHA-256 is stored. Checked tokens are kept in memory,
/// so a call costs a dictionary lookup and one hash, not a database read.
final class Authenticator: Sendable {
    private let store: any AccessStore
    private let cache: Mutex<[String: AccessToken]>

    private init(store: any AccessStore, tokens: [AccessToken]) {
        self.store = store
        self.cache = Mutex(Dictionary(uniqueKeysWithValues: tokens.map { ($0.id, $0) }))
    }

    /// Loads every token from `store`.
    static func load(store: any AccessStore) async throws -> Authenticator {
        Authenticator(store: store, tokens: try await store.tokens())
    }

    /// On a server with no token at all, creates the first operator token and writes it to
    /// `<dataDirectory>/operator-token`, readable by its owner only. Returns the file's path.
    func bootstrapOperatorToken(dataDirectory: String) async throws -> String? {
        guard self.cache.withLock({ $0.isEmpty }) else { return nil }
        let (_, secret) = try await self.issue(tenant: nil, role: .operator, description: "first operator token (written at first start)")
        let path = (dataDirectory as NSString).appendingPathComponent("operator-token")
        guard FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw RPCError(.internalError, "cannot write \(path)")
        }
        return path
    }

    /// Creates a token and returns it with its secret, which is never stored.
    func issue(tenant: TenantID?, role: Role, description: String) async throws -> (AccessToken, String) {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let secretBytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = secretBytes.map { String(format: "%02x", $0) }.joined()
        let token = AccessToken(
            id: id, tenant: tenant, role: role, description: description, secretHash: Self.hash(secret), created: Date()
        )
        try await self.store.saveToken(token)
        self.cache.withLock { $0[id] = token }
        return (token, "mms_\(id)_\(secret)")
    }

    /// Revokes a token; calls with it fail UNAUTHENTICATED from now on.
    func revoke(id: String) async throws -> AccessToken? {
        let token = try await self.store.revokeToken(id: id, at: Date())
        if let token { self.cache.withLock { $0[id] = token } }
        return token
    }

    /// Every token, for listing.
    func tokens() -> [AccessToken] {
        self.cache.withLock { Array($0.values) }.sorted { ($0.created, $0.id) < ($1.created, $1.id) }
    }

    /// Whether `principal`'s role allows `permission` (``AccessInterceptor`` asks, before a call's request is read).
    /// - Throws: `PERMISSION_DENIED` naming the role and what the call needs.
    func authorize(_ principal: Principal, _ permission: Permission) throws(RPCError) {
        let allowed: Bool
        switch permission {
        case .tenantRead: allowed = principal.role == .tenantAdmin || principal.role == .tenantReader
        case .tenantWrite: allowed = principal.role == .tenantAdmin
        case .operatorOnly: allowed = principal.role == .operator
        case .tokenManagement: allowed = principal.role == .operator || principal.role == .tenantAdmin
        }
        guard allowed else {
            throw RPCError(.permissionDenied, Self.denial(permission, principal.role))
        }
    }

    /// The caller of a call, from its `authorization` metadata.
    /// - Throws: `UNAUTHENTICATED` for a missing, malformed, unknown or revoked token.
    func authenticate(_ context: ServerContext) throws(RPCError) -> Principal {
        guard let header = context.metadata["authorization"] else {
            throw RPCError(.unauthenticated, "no token: send 'authorization: Bearer <token>' metadata (mms --token or MMS_TOKEN)")
        }
        let prefix = "Bearer "
        guard header.hasPrefix(prefix) else {
            throw RPCError(.unauthenticated, "the authorization metadata must be 'Bearer <token>'")
        }
        let parts = header.dropFirst(prefix.count).split(separator: "_")
        guard parts.count == 3, parts[0] == "mms" else {
            throw RPCError(.unauthenticated, "malformed token: expected mms_<id>_<secret>")
        }
        guard let token = self.cache.withLock({ $0[String(parts[1])] }), Self.constantTimeEqual(token.secretHash, Self.hash(String(parts[2]))) else {
            throw RPCError(.unauthenticated, "unknown token")
        }
        guard token.revoked == nil else {
            throw RPCError(.unauthenticated, "token \(token.id) was revoked")
        }
        return Principal(tokenID: token.id, role: token.role, tenant: token.tenant)
    }

    static func hash(_ secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(secret.utf8)))
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    private static func denial(_ permission: Permission, _ role: Role) -> String {
        switch permission {
        case .tenantRead: return "role \(role.rawValue) cannot read tenant data; use a tenant admin or reader token"
        case .tenantWrite: return "role \(role.rawValue) cannot change tenant data; use a tenant admin token"
        case .operatorOnly: return "role \(role.rawValue) cannot manage tenants; use an operator token"
        case .tokenManagement: return "role \(role.rawValue) cannot manage tokens; use an operator or tenant admin token"
        }
    }
}

extension Authenticator {
    /// Reads every token from the store again (servers sharing a database, issue 12: a token
    /// issued or revoked on another server counts here from the next refresh).
    func reload() async throws {
        let tokens = try await self.store.tokens()
        self.cache.withLock { $0 = Dictionary(uniqueKeysWithValues: tokens.map { ($0.id, $0) }) }
    }
}
