import Foundation
import Logging
import MMSCore
import MMSRPC

/// Records every admin or operator change in the audit trail (MISSION R8, issue 13).
///
/// ``run(_:target:tenant:in:describe:_:)`` wraps a call's handler: it opens an `AuditScope` with
/// the caller, the call and its target, so that the store writes the record inside the change's
/// own transaction (`SQLiteMigrationStore.write`, `SQLiteAccessStore.write`). A call that wrote
/// nothing (refused before any change, PERMISSION_DENIED, an invalid field, a change that
/// changed nothing) is recorded on its own afterwards, with its outcome. A call without a valid
/// token is not recorded (no one to name; it is answered UNAUTHENTICATED and logged).
struct Auditor: Sendable {
    /// Which store holds a call's records: the one that holds what it changes.
    enum Place: Sendable {
        case engine
        case access
    }

    let auth: Authenticator
    let engineStore: any AuditStore
    let accessStore: any AuditStore
    let logger: Logger

    func run<R: Sendable>(
        _ context: ServerContext, target: String, tenant: TenantID? = nil, in place: Place = .engine,
        describe: (R) -> (outcome: String, detail: String)? = { _ in nil },
        _ body: () async throws -> R
    ) async throws -> R {
        guard let caller = Caller.current else { return try await body() }
        let call = Self.callName(context)
        let scope = AuditScope(AuditRecord(
            time: Date(), tokenID: caller.tokenID, role: caller.role, tenant: caller.tenant ?? tenant, call: call, target: target))
        let store = place == .engine ? self.engineStore : self.accessStore
        do {
            let result = try await AuditScope.$current.withValue(scope) { try await body() }
            if !scope.written {
                var record = scope.record
                if let described = describe(result) {
                    record.outcome = described.outcome
                    record.detail = described.detail
                }
                await self.write(record, to: store)
            }
            return result
        } catch {
            var record = scope.record
            let status = Self.status(of: error)
            record.outcome = status.code.name
            record.detail = status.message
            await self.write(record, to: store)
            throw error
        }
    }

    /// Records a call refused by ``AccessInterceptor`` (a valid token whose role may not make it).
    /// The request was not read, so the record has no target.
    func recordDenial(_ error: any Error, of caller: Principal, _ context: ServerContext, in place: Place) async {
        let status = Self.status(of: error)
        var record = AuditRecord(
            time: Date(), tokenID: caller.tokenID, role: caller.role, tenant: caller.tenant, call: Self.callName(context), target: "")
        record.outcome = status.code.name
        record.detail = status.message
        await self.write(record, to: place == .engine ? self.engineStore : self.accessStore)
    }

    static func callName(_ context: ServerContext) -> String {
        context.method.split(separator: "/").last.map(String.init) ?? context.method
    }

    private func write(_ record: AuditRecord, to store: any AuditStore) async {
        do {
            try await store.recordAudit(record)
        } catch {
            self.logger.error("audit record not written", metadata: [
                "call": "\(record.call)", "token": "\(record.tokenID)", "outcome": "\(record.outcome)", "error": "\(error)",
            ])
        }
    }

    static func status(of error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: return error
        case is CancellationError: return RPCError(.cancelled, "the call was cancelled")
        default: return RPCError(.unknown, "the call failed")
        }
    }
}
