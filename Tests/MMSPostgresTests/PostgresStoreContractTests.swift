import MMSCore
import MMSCoreTesting
import MMSPostgres
import Testing

/// Issue 12: the store contract, case for case, on PostgreSQL (the same cases SQLiteStoreContractTests runs).
@Suite("PostgreSQL store: the store contract")
struct PostgresStoreContractTests {
    @Test("Store contract on PostgreSQL", arguments: StoreContract.caseNames)
    func contract(_ name: String) async throws {
        try await PostgresFixture.with { fixture in
            // Each call opens the same database again (the reopen case calls it twice).
            try await StoreContract.run(name) { try await fixture.store() }
        }
    }
}
