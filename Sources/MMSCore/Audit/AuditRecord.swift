import Foundation
import Synchronization

/// One entry of the audit trail (MISSION R8): who did what, when, and how it ended.
///
/// Written by the store in the same transaction as the change it records; a call that changed
/// nothing (refused, PERMISSION_DENIED, invalid) is recorded on its own. Never holds a secret:
/// the target is an identity or an id, the detail is what the caller was told.
public struct AuditRecord: Sendable, Hashable, Codable {
    /// Unique; chosen when the call starts.
    public var id: String
    /// When the call was made.
    public var time: Date
    /// The caller's token id (public) and its role.
    public var tokenID: String
    public var role: Role
    /// The tenant the call acted on; nil for an operator's call on no tenant (ListTenants has
    /// no record; CreateTenant names the tenant it creates).
    public var tenant: TenantID?
    /// The call's short name, e.g. `MoveUser`.
    public var call: String
    /// What it acted on: a principal name, a bridge id, a token id, a tenant id; empty when the
    /// call has no target of its own (a tenant setting).
    public var target: String
    /// `OK`, `REFUSED` (a change the rules refuse, nothing changed), or the status code's name.
    public var outcome: String
    /// A sentence: what the caller was told (the error, the refusal's reason, or what was queued).
    public var detail: String
    /// The migrations the call queued or merged into (empty when none).
    public var correlationIDs: [String]

    public init(
        id: String = UUID().uuidString.lowercased(), time: Date, tokenID: String, role: Role, tenant: TenantID?, call: String,
        target: String, outcome: String = "OK", detail: String = "", correlationIDs: [String] = []
    ) {
        self.id = id
        self.time = time
        self.tokenID = tokenID
        self.role = role
        self.tenant = tenant
        self.call = call
        self.target = target
        self.outcome = outcome
        self.detail = detail
        self.correlationIDs = correlationIDs
    }
}

/// Which records a listing returns.
public struct AuditQuery: Sendable, Hashable {
    /// Records of this tenant only; nil for every tenant.
    public var tenant: TenantID?
    /// Records made with this role only (an operator lists operator actions).
    public var role: Role?
    /// Records whose target is this identity (compared case-insensitively).
    public var target: String?
    public var start: Date?
    public var end: Date?
    public var limit: Int

    public init(tenant: TenantID? = nil, role: Role? = nil, target: String? = nil, start: Date? = nil, end: Date? = nil, limit: Int = 1000) {
        self.tenant = tenant
        self.role = role
        self.target = target
        self.start = start
        self.end = end
        self.limit = limit
    }
}

/// Where audit records are kept. Both SQLite stores are one: each keeps the records of the
/// changes it holds (tenants and tokens in the access store, everything else in the engine's).
public protocol AuditStore: Sendable {
    /// Writes `record` on its own (a call that changed nothing), or, when the call's change
    /// already wrote it, sets its outcome and detail. Idempotent by id.
    func recordAudit(_ record: AuditRecord) async throws
    /// Records matching `query`, newest first.
    func auditRecords(_ query: AuditQuery) async throws -> [AuditRecord]
    /// Deletes records older than `cutoff`; returns how many (S2's retention, R8).
    func pruneAudit(before cutoff: Date) async throws -> Int
}

/// The audit record of the call being served, carried to the store in a task local so that the
/// store writes it inside the change's own transaction, with no parameter through the engine.
///
/// MMSServer's `Audited` opens one around each admin call; a store's write path calls
/// ``pending`` when it starts a write, inserts the record in that write's transaction, and calls
/// ``markWritten()`` once the write committed. Any later write of the same call upserts the same
/// row (adding the correlation ids it queued).
public final class AuditScope: Sendable {
    @TaskLocal public static var current: AuditScope?

    private let state: Mutex<(record: AuditRecord, written: Bool)>

    public init(_ record: AuditRecord) {
        self.state = Mutex((record, false))
    }

    /// The record as it stands.
    public var record: AuditRecord { self.state.withLock { $0.record } }
    /// Whether a committed write holds the record.
    public var written: Bool { self.state.withLock { $0.written } }

    /// The record to insert into the write starting now.
    public var pending: AuditRecord { self.record }

    /// The write that held the record committed.
    public func markWritten() { self.state.withLock { $0.written = true } }

    /// Changes the record before it is written (e.g. the target becomes the id just created).
    public func update(_ body: (inout AuditRecord) -> Void) {
        self.state.withLock { body(&$0.record) }
    }
}
