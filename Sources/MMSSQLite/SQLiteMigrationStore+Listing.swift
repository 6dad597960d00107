import Foundation
import GRDB
import MMSCore
import MMSStoredForms

extension SQLiteMigrationStore {
    public func users(_ tenant: TenantID, after: String?, limit: Int) async throws -> [User] {
        try await read { db in
            // users_by_principal_name serves both the filter and the order.
            try Data.fetchAll(
                db, sql: "SELECT data FROM users WHERE tenant = ? AND upn_key > ? ORDER BY upn_key LIMIT ?",
                arguments: [tenant.rawValue, after?.lowercased() ?? "", limit]
            ).map { try StoredForm.user($0) }
        }
    }

    public func bridges(_ tenant: TenantID) async throws -> [Bridge] {
        try await read { db in
            try Data.fetchAll(db, sql: "SELECT data FROM bridges WHERE tenant = ? ORDER BY id", arguments: [tenant.rawValue])
                .map { try DecodeCaches.bridges.value($0) { try JSON.decode(Bridge.self, from: $0) } }
        }
    }
}
