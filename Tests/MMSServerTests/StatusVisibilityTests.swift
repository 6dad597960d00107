import Foundation
import MMSClient
import MMSCore
import Testing

/// Issue 9, "What an admin cannot see": when a pending migration runs or retries, when one left
/// by a stopped worker resumes, and how long records are kept (S2).
@Suite("Status: next attempt, resumes after, retention")
struct StatusVisibilityTests {
    @Test("Issue 9, M1: a pending migration's record says when it runs (NextAttempt); a finished one says nothing")
    func nextAttempt() async throws {
        let server = try await ServerFixture.start(hold: .seconds(3600))
        defer { server.removeData() }
        let admin = try server.client(try await server.tenant("contoso").admin)
        _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "ann@contoso.com")))
        let before = Date()
        let started = try await admin.startMeetingMigration(StartMeetingMigrationRequest(identity: "ann@contoso.com"))
        let record = try #require(try await admin.migrationStatus(GetMigrationStatusRequest(identity: "ann@contoso.com")).records.first)
        #expect(record.state == .pending && record.correlationId == started.correlationId)
        let next = Date(timeIntervalSince1970: Double(record.nextAttemptMicros) / 1_000_000)
        #expect(abs(next.timeIntervalSince(before) - 3600) < 60, "runs when the hold ends: \(next)")
        #expect(started.status?.nextAttemptMicros == record.nextAttemptMicros)
        #expect(record.resumesAfterMicros == 0)
        await admin.close()
        try await server.stop()
    }

    @Test("Issue 9: a migration in progress under a lease no live worker holds (a crashed server's) shows when it resumes; the lease is configurable")
    func resumesAfter() async throws {
        let server = try await ServerFixture.start(hold: .seconds(3600), leaseDuration: .seconds(45))
        defer { server.removeData() }
        let admin = try server.client(try await server.tenant("contoso").admin)
        _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "ann@contoso.com")))
        _ = try await admin.startMeetingMigration(StartMeetingMigrationRequest(identity: "ann@contoso.com"))
        // A worker of an earlier process claims it (due in an hour), then "dies": its lease stays.
        let claimedAt = Date().addingTimeInterval(3700)
        let claims = try await server.application.engine.store.claimDueMigrations(
            now: claimedAt, owner: "worker-deadbeef-0", leaseDuration: .seconds(300), limit: 1)
        #expect(claims.count == 1)
        let record = try #require(try await admin.migrationStatus(GetMigrationStatusRequest(identity: "ann@contoso.com")).records.first)
        #expect(record.state == .inProgress)
        let resumes = Date(timeIntervalSince1970: Double(record.resumesAfterMicros) / 1_000_000)
        #expect(abs(resumes.timeIntervalSince(claimedAt.addingTimeInterval(300))) < 1, "resumes when the dead worker's lease ends: \(resumes)")
        #expect(record.nextAttemptMicros == 0)
        #expect(server.application.engine.configuration.leaseDuration == .seconds(45))
        await admin.close()
        try await server.stop()
    }

    @Test("Issue 9, S2: the retention is visible to every tenant, and a finished record older than it is deleted")
    func retention() async throws {
        let server = try await ServerFixture.start(statusRetention: .seconds(2))
        defer { server.removeData() }
        let tenant = try await server.tenant("contoso")
        let admin = try server.client(tenant.admin)
        let reader = try server.client(tenant.reader)
        let configuration = try await reader.call(
            TenantConfigurationServiceMethods.getTenantMigrationConfiguration, GetTenantMigrationConfigurationRequest())
        #expect(configuration.statusRetentionSeconds == 2)
        _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "ann@contoso.com")))
        let started = try await admin.startMeetingMigration(StartMeetingMigrationRequest(identity: "ann@contoso.com"))
        #expect(started.queued)
        // Only finished records are pruned: its disappearing means it finished, then aged past the retention.
        #expect(try await eventually(timeout: .seconds(30)) {
            try await admin.migrationStatus(GetMigrationStatusRequest(identity: "ann@contoso.com")).records.isEmpty
        }, "the finished record is pruned once older than the retention")
        await admin.close()
        await reader.close()
        try await server.stop()
    }
}
