import Foundation
import MMSCore

enum ListingContract {
    /// Users come back by principal name, limited, and only the tenant's own; bridges by id.
    static func listing(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let users = ["carol", "ann", "bob"].map { Fixtures.user($0) }
        let store = try await seededStore(makeStore, users: users)
        let other = TenantID("fabrikam")
        try await store.createUser(User(tenant: other, userPrincipalName: "zed@fabrikam.com"))
        try await store.saveBridge(Bridge(id: BridgeID("fabrikam-bridge"), tenant: other, name: "Other", numbers: []))

        let listed = try await store.users(Fixtures.tenant, limit: 10).map(\.userPrincipalName)
        try require(listed == ["ann@contoso.com", "bob@contoso.com", "carol@contoso.com"], "users by principal name, got \(listed)")
        let limited = try await store.users(Fixtures.tenant, limit: 2).map(\.userPrincipalName)
        try require(limited == ["ann@contoso.com", "bob@contoso.com"], "limit honoured, got \(limited)")
        // Paging (issue 16): after a principal name, case-insensitively, in the same order.
        let after = try await store.users(Fixtures.tenant, after: "ann@contoso.com", limit: 10).map(\.userPrincipalName)
        try require(after == ["bob@contoso.com", "carol@contoso.com"], "users after ann, got \(after)")
        let afterUpper = try await store.users(Fixtures.tenant, after: "BOB@contoso.com", limit: 10).map(\.userPrincipalName)
        try require(afterUpper == ["carol@contoso.com"], "after compares case-insensitively, got \(afterUpper)")
        try require(try await store.users(Fixtures.tenant, after: "carol@contoso.com", limit: 10).isEmpty, "nothing after the last")
        try require(try await store.users(other, limit: 10).map(\.userPrincipalName) == ["zed@fabrikam.com"], "other tenant's users apart")

        let bridges = try await store.bridges(Fixtures.tenant).map(\.id)
        try require(bridges == [Fixtures.bridge.id, Fixtures.otherBridge.id].sorted { $0.rawValue < $1.rawValue }, "bridges by id, got \(bridges)")
        try require(try await store.bridges(other).map(\.id) == [BridgeID("fabrikam-bridge")], "other tenant's bridges apart")
    }
}
