import Foundation
import Synchronization
import MMSCore
import MMSMessages
import MMSRPC

/// `mms.v1.MigrationService` over the migration engine (MISSION T4, S1).
struct MigrationService: MigrationServiceHandler {
    let engine: MigrationEngine
    let auth: Authenticator
    let audit: Auditor
    /// Watches running at once, server-wide: each polls the store, so they are capped.
    let watches = WatchLimiter(limit: 256)

    func startMeetingMigration(_ request: StartMeetingMigrationRequest, context: ServerContext) async throws -> StartMeetingMigrationResponse {
        try await self.audit.run(context, target: request.identity, describe: Convert.startAudit) {
            let tenant = try self.auth.tenant(.tenantWrite, context)
            let identity = try Validate.identity(request.identity)
            let outcome = try await Convert.engineCall {
                try await self.engine.startMeetingMigration(
                    tenant: tenant, identity: identity,
                    source: Convert.source(request.sourceMeetingType), target: Convert.target(request.targetMeetingType)
                )
            }
            return StartMeetingMigrationResponse(
                queued: outcome.isQueued,
                reason: outcome.reason?.message ?? "",
                correlationId: outcome.record?.correlationId.rawValue ?? "",
                status: outcome.record.map { Convert.status($0) }
            )
        }
    }

    func getMigrationStatus(_ request: GetMigrationStatusRequest, context: ServerContext) async throws -> GetMigrationStatusResponse {
        let tenant = try self.auth.tenant(.tenantRead, context)
        // Empty means every user; a value must be a principal name (whitespace alone is refused).
        let identity = request.identity.isEmpty ? nil : try Validate.identity(request.identity)
        let start = Convert.date(micros: request.startTimeMicros)
        let end = Convert.date(micros: request.endTimeMicros)
        if let start, let end, start > end {
            throw RPCError(.invalidArgument, "start_time_micros is after end_time_micros: the time window is empty")
        }
        let limit = request.limit == 0 ? StatusQuery.defaultLimit : Int(min(request.limit, 10_000))
        let query = StatusQuery(identity: identity, start: start, end: end, state: Convert.state(request.state), limit: limit)
        if request.summaryOnly {
            let counts = try await Convert.engineCall { try await self.engine.migrationSummary(tenant: tenant, query: query) }
            let summary = MMSCore.MigrationState.allCases.map {
                StateUserCount(state: Convert.state($0), userCount: UInt32(clamping: counts[$0] ?? 0))
            }
            return GetMigrationStatusResponse(summary: summary)
        }
        let records = try await Convert.engineCall { try await self.engine.migrationStatus(tenant: tenant, query: query) }
        return GetMigrationStatusResponse(records: records.map { Convert.status($0, engine: self.engine) })
    }

    func listMeetingOutcomes(_ request: ListMeetingOutcomesRequest, context: ServerContext) async throws -> ListMeetingOutcomesResponse {
        let tenant = try self.auth.tenant(.tenantRead, context)
        let record: MigrationStatusRecord?
        if !request.correlationId.isEmpty {
            let found = try await self.engine.migrationStatus(correlationId: CorrelationID(request.correlationId))
            record = found?.tenant == tenant ? found : nil
        } else if !request.identity.isEmpty {
            let identity = try Validate.identity(request.identity)
            record = try await Convert.engineCall {
                try await self.engine.migrationStatus(tenant: tenant, query: StatusQuery(identity: identity, limit: 1)).first
            }
        } else {
            throw RPCError(.invalidArgument, "give correlation_id or identity")
        }
        guard let record else {
            let what = request.correlationId.isEmpty ? "user '\(request.identity)'" : "correlation id '\(request.correlationId)'"
            throw RPCError(.notFound, "no migration for \(what)")
        }
        let outcomes = try await self.engine.meetingOutcomes(correlationId: record.correlationId)
        return ListMeetingOutcomesResponse(outcomes: outcomes.map { outcome in
            let kind: MMSMessages.MeetingOutcome
            switch outcome.outcome {
            case .migrated: kind = .migrated
            case .skipped: kind = .skipped
            case .failed: kind = .failed
            }
            return MMSMessages.MeetingOutcomeRecord(
                correlationId: outcome.correlationId.rawValue, meetingId: outcome.meeting.rawValue, subject: outcome.subject,
                outcome: kind, reason: outcome.reason, recordedMicros: Convert.micros(outcome.recorded)
            )
        })
    }

    /// How often a watch looks for changes.
    static let watchInterval: Duration = .milliseconds(200)

    func watchMigration(_ request: WatchMigrationRequest, responses: ResponseStreamWriter<MMSMessages.MigrationStatus>, context: ServerContext) async throws {
        let tenant = try self.auth.tenant(.tenantRead, context)
        let identity = request.identity.isEmpty ? nil : try Validate.identity(request.identity)
        if let identity {
            // An unknown user is NOT_FOUND at once rather than a watch that never sends anything.
            _ = try await Convert.engineCall { try await self.engine.user(tenant: tenant, identity: identity) }
        }
        guard self.watches.enter() else {
            throw RPCError(.resourceExhausted, "the server already runs \(self.watches.limit) watches; retry later or poll GetMigrationStatus")
        }
        defer { self.watches.leave() }
        // What was last sent of each record: a lease renewal alone changes nothing a caller sees.
        var sent: [CorrelationID: MMSMessages.MigrationStatus] = [:]
        while !Task.isCancelled {
            let records = try await self.engine.migrationStatus(tenant: tenant, query: StatusQuery(identity: identity))
            for record in records.reversed() {
                let status = Convert.status(record, engine: self.engine)
                guard sent[record.correlationId] != status else { continue }
                try await responses.write(status)
                sent[record.correlationId] = status
            }
            if request.untilFinished {
                if records.isEmpty {
                    let whom = identity.map { "user '\($0)'" } ?? "this tenant"
                    throw RPCError(.notFound, "no migration to watch for \(whom)")
                }
                if records.allSatisfy({ $0.state.isFinished }) { return }
            }
            try await Task.sleep(for: Self.watchInterval)
        }
    }
}

/// Counts watches in progress against a limit.
final class WatchLimiter: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a place; false when all are taken.
    func enter() -> Bool {
        if self.count.wrappingAdd(1, ordering: .relaxed).newValue <= self.limit { return true }
        self.count.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func leave() {
        self.count.wrappingSubtract(1, ordering: .relaxed)
    }
}
