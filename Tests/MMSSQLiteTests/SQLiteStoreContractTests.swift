import MMSCore
import MMSCoreTesting
import MMSSQLite
import Testing

@Suite("SQLite store: the store contract")
struct SQLiteStoreContractTests {
    @Test("Store contract on SQLite", arguments: StoreContract.caseNames)
    func contract(_ name: String) async throws {
        let directory = try TemporaryDirectory()
        try await StoreContract.run(name) { try SQLiteMigrationStore(directory: directory.path) }
    }
}
