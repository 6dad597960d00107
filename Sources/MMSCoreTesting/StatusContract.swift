import Foundation
import MMSCore

enum StatusContract {
    /// Ann: succeeded (created at start); Bob: pending (created 1 h later); Cy: failed then pending again.
    static func scenario(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws -> (any MigrationStore, [User]) {
        let users = [Fixtures.user("ann"), Fixtures.user("bob"), Fixtures.user("cy")]
        let store = try await seededStore(makeStore, users: users)
        let all = QueueContract.all
        _ = try await store.enqueueMigration(for: users[0], scope: all, parameters: parameters(start))
        _ = try await store.enqueueMigration(for: users[2], scope: all, parameters: parameters(start))
        let claims = try await store.claimDueMigrations(now: start.adding(hold), owner: "w", leaseDuration: .seconds(60), limit: 5)
        for claim in claims {
            let state: MigrationState = claim.record.userId == users[0].id ? .succeeded : .failed
            try await store.finishMigration(claim.lease, state: state, message: "", now: start.adding(hold).addingTimeInterval(10))
        }
        let later = start.adding(hold).addingTimeInterval(3600)
        _ = try await store.enqueueMigration(for: users[1], scope: all, parameters: parameters(later))
        _ = try await store.enqueueMigration(for: users[2], scope: all, parameters: parameters(later))
        return (store, users)
    }

    static func filters(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let (store, users) = try await scenario(makeStore)
        let everything = try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter())
        try require(everything.count == 4, "four records, got \(everything.count)")
        try require(zip(everything, everything.dropFirst()).allSatisfy { $0.modifiedDate >= $1.modifiedDate }, "newest first")
        let cy = try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter(userId: users[2].id))
        try require(cy.count == 2 && cy.allSatisfy { $0.userId == users[2].id }, "by identity")
        let failed = try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter(state: .failed))
        try require(failed.count == 1 && failed[0].userId == users[2].id, "by state")
        let windowEnd = start.adding(hold).addingTimeInterval(60)
        let early = try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter(start: start, end: windowEnd))
        try require(early.count == 2 && early.allSatisfy { $0.state.isFinished }, "by window, got \(early.map(\.state))")
        let limited = try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter(limit: 1))
        try require(limited.count == 1, "limit")
        let otherTenant = try await store.migrationStatus(TenantID("fabrikam"), filter: StatusFilter())
        try require(otherTenant.isEmpty, "tenants are separate")
    }

    /// The store resolves a principal name (any case) in the same read; an unknown one is NOT_FOUND,
    /// a known user without records is an empty answer.
    static func byPrincipalName(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let (store, users) = try await scenario(makeStore)
        let cy = try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter(principalName: users[2].userPrincipalName.uppercased()))
        try require(cy.count == 2 && cy.allSatisfy { $0.userId == users[2].id }, "by principal name, any case: \(cy.map(\.userPrincipalName))")
        let cyPending = try await store.migrationStatus(
            Fixtures.tenant, filter: StatusFilter(principalName: users[2].userPrincipalName, state: .pending))
        try require(cyPending.count == 1 && cyPending[0].state == .pending, "principal name and state together")
        let dee = Fixtures.user("dee")
        try await store.createUser(dee)
        let none = try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter(principalName: dee.userPrincipalName))
        try require(none.isEmpty, "a user without migrations has no records")
        let deeSummary = try await store.migrationSummary(Fixtures.tenant, filter: StatusFilter(principalName: dee.userPrincipalName))
        try require(deeSummary.values.allSatisfy { $0 == 0 }, "a user without migrations counts nothing: \(deeSummary)")
        for unknown in [
            { try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter(principalName: "nobody@contoso.com")).count },
            { try await store.migrationSummary(Fixtures.tenant, filter: StatusFilter(principalName: "nobody@contoso.com")).count },
            // Another tenant's user is unknown here.
            { try await store.migrationStatus(TenantID("fabrikam"), filter: StatusFilter(principalName: users[2].userPrincipalName)).count },
        ] as [@Sendable () async throws -> Int] {
            do {
                let count = try await unknown()
                throw ContractFailure("an unknown principal name answered \(count) rows instead of NOT_FOUND")
            } catch let error as MigrationEngineError {
                try require(error.code == .notFound && error.field == "identity", "unknown principal name: \(error)")
            }
        }
    }

    static func summary(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let (store, _) = try await scenario(makeStore)
        let summary = try await store.migrationSummary(Fixtures.tenant, filter: StatusFilter())
        try require(summary[.pending] == 2 && summary[.succeeded] == 1 && summary[.failed] == 1, "summary \(summary)")
        try require(summary[.inProgress, default: 0] == 0, "no in-progress")
    }

    static func prune(_ makeStore: @Sendable () async throws -> any MigrationStore) async throws {
        let (store, _) = try await scenario(makeStore)
        let cutoff = start.addingTimeInterval(1)  // after the first two were created, before the last two
        let pruned = try await store.pruneMigrations(createdBefore: cutoff)
        try require(pruned == 2, "pruned \(pruned)")
        let left = try await store.migrationStatus(Fixtures.tenant, filter: StatusFilter())
        try require(left.count == 2 && left.allSatisfy { $0.state == .pending }, "pending ones kept")
        let prunedAgain = try await store.pruneMigrations(createdBefore: start.addingTimeInterval(365 * 86_400))
        try require(prunedAgain == 0, "unfinished migrations are never pruned")
    }
}
