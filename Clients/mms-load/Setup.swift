import Foundation
import MMSClient

/// What the setup step made: a tenant, a tenant-admin token and the tenant's users.
struct LoadTenant: Sendable {
    let tenantId: String
    let adminToken: String
    let identities: [String]
}

/// The setup step: with the operator's token, creates a tenant, a tenant-admin token, `users`
/// users (homed online, mailbox online) and, when asked, one queued migration per user, so the
/// measured calls read and write real rows.
enum LoadSetup {
    /// Runs the setup against `endpoint`.
    /// - Parameters:
    ///   - tenantId: the tenant to create; it must not exist yet.
    ///   - users: how many users to create.
    ///   - seedMigrations: start one migration per user (it stays queued under the server's hold).
    ///   - concurrency: calls in flight while creating.
    /// - Throws: the first failed call's `RPCError`.
    static func run(
        endpoint: String, operatorToken: String, tenantId: String, users: Int, seedMigrations: Bool, concurrency: Int, timeout: Duration,
        tls: ClientTLSConfiguration? = nil
    ) async throws -> LoadTenant {
        let operatorClient = try MMSClient(endpoint: endpoint, token: operatorToken, timeout: timeout, tls: tls)
        defer { Task { await operatorClient.close() } }
        _ = try await operatorClient.call(
            AdminServiceMethods.createTenant, CreateTenantRequest(tenantId: tenantId, displayName: "mms-load \(tenantId)"))
        let created = try await operatorClient.call(
            AdminServiceMethods.createToken, CreateTokenRequest(tenantId: tenantId, role: .tenantAdmin, description: "mms-load"))
        let admin = try MMSClient(endpoint: endpoint, token: created.token, timeout: timeout, tls: tls)
        defer { Task { await admin.close() } }

        let identities = (0..<users).map { "load-user-\(String(format: "%06d", $0))@\(tenantId).example.com" }
        try await forEach(identities, concurrency: concurrency) { identity in
            let user = User(userPrincipalName: identity, homing: .online, mailbox: .online)
            _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: user))
            if seedMigrations {
                _ = try await admin.startMeetingMigration(
                    StartMeetingMigrationRequest(identity: identity, sourceMeetingType: .all, targetMeetingType: .current))
            }
        }
        return LoadTenant(tenantId: tenantId, adminToken: created.token, identities: identities)
    }

    /// Runs `body` for every element, at most `concurrency` at once; rethrows the first error.
    private static func forEach(
        _ elements: [String], concurrency: Int, _ body: @escaping @Sendable (String) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            while next < min(concurrency, elements.count) {
                let element = elements[next]
                group.addTask { try await body(element) }
                next += 1
            }
            while try await group.next() != nil {
                if next < elements.count {
                    let element = elements[next]
                    group.addTask { try await body(element) }
                    next += 1
                }
            }
        }
    }
}
