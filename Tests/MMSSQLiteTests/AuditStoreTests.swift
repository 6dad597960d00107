import Foundation
import MMSCore
import MMSCoreTesting
import MMSSQLite
import Testing

/// Issue 13, R8: the audit record of a call is written by the store in the change's own
/// transaction: a change that commits carries its record (with the migration it queued), a
/// change that is rolled back leaves none, and the record of the access store's changes sits
/// with the tokens.
@Suite("Audit trail in the SQLite stores")
struct AuditStoreTests {
    static func record(_ call: String, target: String) -> AuditRecord {
        AuditRecord(time: Date(), tokenID: "a1b2c3d4e5f6", role: .tenantAdmin, tenant: Fixtures.tenant, call: call, target: target)
    }

    @Test("R8: a committed change holds its record, with the correlation id of the migration it queued")
    func committedChangeHoldsItsRecord() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteMigrationStore(directory: directory.path)
        let ann = Fixtures.user("ann")
        let create = AuditScope(Self.record("CreateUser", target: ann.userPrincipalName))
        try await AuditScope.$current.withValue(create) { try await store.createUser(ann) }
        #expect(create.written)

        let start = AuditScope(Self.record("StartMeetingMigration", target: ann.userPrincipalName))
        let outcome = try await AuditScope.$current.withValue(start) {
            try await store.enqueueMigration(
                for: ann, scope: MigrationScope(source: .all, target: .current), parameters: EnqueueParameters(now: Date(), hold: .zero, trigger: "T4"))
        }
        #expect(start.written)
        let records = try await store.auditRecords(AuditQuery(tenant: Fixtures.tenant))
        #expect(records.map(\.call).sorted() == ["CreateUser", "StartMeetingMigration"])
        let started = try #require(records.first { $0.call == "StartMeetingMigration" })
        #expect(started.correlationIDs == [try #require(outcome.record).correlationId.rawValue])
        #expect(started.outcome == "OK" && started.detail == "migration queued")
        #expect(records.first { $0.call == "CreateUser" }?.correlationIDs == [])
        // Filtered by target, any case; another tenant sees none.
        #expect(try await store.auditRecords(AuditQuery(tenant: Fixtures.tenant, target: "ANN@contoso.com")).count == 2)
        #expect(try await store.auditRecords(AuditQuery(tenant: TenantID("fabrikam"))).isEmpty)
    }

    @Test("R8: a change rolled back leaves no record in its transaction; the refusal is recorded on its own")
    func rolledBackChangeLeavesNone() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteMigrationStore(directory: directory.path)
        let ann = Fixtures.user("ann")
        try await store.createUser(ann)
        let again = AuditScope(Self.record("CreateUser", target: ann.userPrincipalName))
        await #expect(throws: (any Error).self) {
            try await AuditScope.$current.withValue(again) { try await store.createUser(ann) }
        }
        #expect(!again.written)
        #expect(try await store.auditRecords(AuditQuery()).isEmpty, "the failed write's savepoint took its record with it")
        var refusal = again.record
        refusal.outcome = "ALREADY_EXISTS"
        refusal.detail = "a user with that principal name exists"
        try await store.recordAudit(refusal)
        try await store.recordAudit(refusal)  // idempotent by id
        let records = try await store.auditRecords(AuditQuery())
        #expect(records.count == 1 && records.first?.outcome == "ALREADY_EXISTS")
    }

    @Test("R8, S2: records older than the cutoff are pruned, newer ones kept; without a scope nothing is recorded")
    func pruning() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteMigrationStore(directory: directory.path)
        try await store.createUser(Fixtures.user("bob"))  // no call in progress: no record
        #expect(try await store.auditRecords(AuditQuery()).isEmpty)
        var old = Self.record("MoveUser", target: "ann@contoso.com")
        old.time = Date().addingTimeInterval(-151 * 86_400)
        try await store.recordAudit(old)
        try await store.recordAudit(Self.record("MoveUser", target: "ann@contoso.com"))
        #expect(try await store.pruneAudit(before: Date().addingTimeInterval(-150 * 86_400)) == 1)
        let kept = try await store.auditRecords(AuditQuery())
        #expect(kept.count == 1 && kept.first?.id != old.id)
    }

    @Test("R8: token changes are recorded in the access store's transaction, the new token's id as the target")
    func accessStoreRecords() async throws {
        let directory = try TemporaryDirectory()
        let access = try SQLiteAccessStore(directory: directory.path)
        try await access.createTenant(TenantRecord(id: Fixtures.tenant, displayName: "Contoso", created: Date()))
        let scope = AuditScope(AuditRecord(time: Date(), tokenID: "0p0p0p0p0p0p", role: .operator, tenant: Fixtures.tenant, call: "CreateToken", target: ""))
        let token = AccessToken(id: "feedfacecafe", tenant: Fixtures.tenant, role: .tenantReader, description: "d", secretHash: [1, 2, 3], created: Date())
        try await AuditScope.$current.withValue(scope) { try await access.saveToken(token) }
        let records = try await access.auditRecords(AuditQuery(role: .operator))
        #expect(records.count == 1 && records.first?.target == "feedfacecafe" && records.first?.call == "CreateToken")
        #expect(try await access.auditRecords(AuditQuery(role: .tenantAdmin)).isEmpty)
    }
}
