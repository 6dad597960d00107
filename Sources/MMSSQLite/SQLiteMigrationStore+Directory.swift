import Foundation
import GRDB
import MMSCore
import MMSStoredForms

extension SQLiteMigrationStore {
    public func tenantSettings(_ tenant: TenantID) async throws -> TenantSettings {
        try readNow { db in try Self.settings(db, tenant) }
    }

    public func saveTenantSettings(_ settings: TenantSettings) async throws {
        let data = try JSON.encode(settings)
        try await write { db in
            try db.execute(
                sql: "INSERT INTO tenant_settings (tenant, data) VALUES (?, ?) ON CONFLICT(tenant) DO UPDATE SET data = excluded.data",
                arguments: [settings.tenant.rawValue, data])
        }
    }

    public func createUser(_ user: User) async throws {
        try await write { db in
            if try Self.user(db, user.tenant, principalName: user.userPrincipalName) != nil {
                throw MigrationEngineError(
                    code: .alreadyExists, field: "userPrincipalName",
                    message: "a user with principal name '\(user.userPrincipalName)' already exists in tenant '\(user.tenant)'")
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [user.id.rawValue]) == true {
                throw MigrationEngineError(code: .alreadyExists, field: "id", message: "a user with id '\(user.id)' already exists")
            }
            try Self.save(db, user)
        }
    }

    public func user(_ tenant: TenantID, principalName: String) async throws -> User? {
        try readNow { db in try Self.user(db, tenant, principalName: principalName) }
    }

    public func user(_ tenant: TenantID, id: UserID) async throws -> User? {
        try readNow { db in
            try Data.fetchOne(
                db.cachedStatement(sql: "SELECT data FROM users WHERE id = ? AND tenant = ?"), arguments: [id.rawValue, tenant.rawValue])
                .map { try StoredForm.user($0) }
        }
    }

    public func users(_ tenant: TenantID, onBridge bridge: BridgeID) async throws -> [User] {
        try await read { db in
            try Data.fetchAll(db, sql: "SELECT data FROM users WHERE tenant = ? AND bridge = ?", arguments: [tenant.rawValue, bridge.rawValue])
                .map { try StoredForm.user($0) }
        }
    }

    public func modifyUser(
        _ tenant: TenantID,
        principalName: String,
        parameters: EnqueueParameters,
        change: @escaping @Sendable (inout User, TenantSettings) throws -> TriggerDecision
    ) async throws -> DirectoryChangeOutcome {
        // Read and decoded inside the write. Decoding them first on the caller's thread (and only
        // comparing bytes inside) was measured and rejected: the extra read runs on another
        // connection, whose page cache every commit invalidates, so it cost more CPU in all than
        // it took off the writer (docs/PERFORMANCE.md).
        try await write { db in
            guard let original = try Self.user(db, tenant, principalName: principalName) else {
                throw MigrationEngineError(
                    code: .notFound, field: "identity", message: "no user with principal name '\(principalName)' in tenant '\(tenant)'")
            }
            let settings = try Self.settings(db, tenant)
            var changed = original
            switch try change(&changed, settings) {
            case .refuse(let reason):
                return DirectoryChangeOutcome(user: original, migration: .notQueued(reason))
            case .noMigration(let reason):
                if changed != original { try Self.save(db, changed) }
                return DirectoryChangeOutcome(user: changed, migration: .notQueued(reason))
            case .enqueue(let scope):
                if changed != original { try Self.save(db, changed) }
                let outcome = try Self.enqueue(db, user: changed, scope: scope, parameters: parameters)
                return DirectoryChangeOutcome(user: changed, migration: outcome)
            }
        }
    }

    public func saveBridge(_ bridge: Bridge) async throws {
        let data = try JSON.encode(bridge)
        try await write { db in
            try db.execute(
                sql: "INSERT INTO bridges (tenant, id, data) VALUES (?, ?, ?) ON CONFLICT(tenant, id) DO UPDATE SET data = excluded.data",
                arguments: [bridge.tenant.rawValue, bridge.id.rawValue, data])
        }
    }

    public func bridge(_ tenant: TenantID, id: BridgeID) async throws -> Bridge? {
        // Once per migrated meeting with dial-in: on the calling thread, cached, decoded once per stored bytes.
        try readNow { db in
            try Data.fetchOne(
                db.cachedStatement(sql: "SELECT data FROM bridges WHERE tenant = ? AND id = ?"), arguments: [tenant.rawValue, id.rawValue])
                .map { try DecodeCaches.bridges.value($0) { try JSON.decode(Bridge.self, from: $0) } }
        }
    }

    // MARK: Helpers inside a transaction

    static func settings(_ db: Database, _ tenant: TenantID) throws -> TenantSettings {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT data FROM tenant_settings WHERE tenant = ?"), arguments: [tenant.rawValue])
            .map { try DecodeCaches.settings.value($0) { try JSON.decode(TenantSettings.self, from: $0) } } ?? .defaults(for: tenant)
    }

    static func user(_ db: Database, _ tenant: TenantID, principalName: String) throws -> User? {
        try Data.fetchOne(
            db.cachedStatement(sql: "SELECT data FROM users WHERE tenant = ? AND upn_key = ?"),
            arguments: [tenant.rawValue, principalName.lowercased()]
        ).map { try StoredForm.user($0) }
    }

    static func save(_ db: Database, _ user: User) throws {
        let audio = user.audioConferencing
        if let bridge = audio.bridge, let conferenceId = audio.conferenceId,
            let holder = try String.fetchOne(
                db, sql: "SELECT upn_key FROM users WHERE tenant = ? AND bridge = ? AND conference_id = ? AND id != ?",
                arguments: [user.tenant.rawValue, bridge.rawValue, conferenceId, user.id.rawValue])
        {
            throw MigrationEngineError(
                code: .failedPrecondition, field: "conferenceId",
                message: "conference id \(conferenceId) is already used on bridge '\(bridge)' by \(holder); conference ids are unique on a bridge")
        }
        try db.execute(
            sql: """
                INSERT INTO users (id, tenant, upn_key, bridge, conference_id, data) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET upn_key = excluded.upn_key, bridge = excluded.bridge,
                    conference_id = excluded.conference_id, data = excluded.data
                """,
            arguments: [
                user.id.rawValue, user.tenant.rawValue, user.userPrincipalName.lowercased(),
                audio.bridge?.rawValue, audio.conferenceId, StoredForm.encode(user),
            ])
    }
}
