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
    /// Watches running at once, per tenant and server-wide: each polls the store, so they are capped.
    let watches: WatchLimiter
    /// Previews running at once, per tenant and server-wide: each reads a whole calendar (from a CalDAV server too).
    let previews = WatchLimiter(limits: WatchLimits(total: 16, perTenant: 4), what: "previews")

    func startMeetingMigration(_ request: StartMeetingMigrationRequest, context: ServerContext) async throws -> StartMeetingMigrationResponse {
        try await self.audit.run(context, target: request.identity, describe: Convert.startAudit) {
            let tenant = try Caller.tenant()
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
        let tenant = try Caller.tenant()
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
        let tenant = try Caller.tenant()
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
        let scope = "ListMeetingOutcomes\n\(record.correlationId.rawValue)"
        let after = try Paging.key(request.pageToken, scope: scope, parts: 1)
        let outcomes = try await self.engine.meetingOutcomes(correlationId: record.correlationId).sorted { $0.meeting.rawValue < $1.meeting.rawValue }
        let page = Paging.page(outcomes, after: after, size: Paging.size(request.pageSize)) { [$0.meeting.rawValue] }
        return ListMeetingOutcomesResponse(outcomes: page.items.map { outcome in
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
        }, nextPageToken: page.next.map { Paging.token(scope: scope, key: $0) } ?? "")
    }

    /// How often a watch looks for changes.
    static let watchInterval: Duration = .milliseconds(200)

    func watchMigration(_ request: WatchMigrationRequest, responses: ResponseStreamWriter<MMSMessages.MigrationStatus>, context: ServerContext) async throws {
        let tenant = try Caller.tenant()
        let identity = request.identity.isEmpty ? nil : try Validate.identity(request.identity)
        if let identity {
            // An unknown user is NOT_FOUND at once rather than a watch that never sends anything.
            _ = try await Convert.engineCall { try await self.engine.user(tenant: tenant, identity: identity) }
        }
        try self.watches.enter(tenant)
        defer { self.watches.leave(tenant) }
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
            // With none yet, wait for the first: a watch opened just before StartMeetingMigration sees it (issue 16).
            if request.untilFinished, !records.isEmpty, records.allSatisfy({ $0.state.isFinished }) { return }
            try await Task.sleep(for: Self.watchInterval)
        }
    }
}

extension MigrationService {
    /// The most a preview message carries in body, resource and diff (a frame holds 4 MiB).
    static let previewDetailLimit = 3 << 20

    /// What Start-CsExMeetingMigration would do to each meeting (issue 15): the engine's own
    /// plan, nothing written. A reader may preview, as it may read outcomes.
    func previewMeetingMigration(
        _ request: PreviewMeetingMigrationRequest, responses: ResponseStreamWriter<MMSMessages.MeetingPreview>, context: ServerContext
    ) async throws {
        let tenant = try Caller.tenant()
        let identity = try Validate.identity(request.identity)
        try self.previews.enter(tenant)
        defer { self.previews.leave(tenant) }
        do {
            try await Convert.engineCall {
                try await self.engine.previewMeetingMigration(
                    tenant: tenant, identity: identity,
                    source: Convert.source(request.sourceMeetingType), target: Convert.target(request.targetMeetingType)
                ) { preview in
                    try await responses.write(Self.message(preview))
                }
            }
        } catch let error as MailboxError {
            throw RPCError(.failedPrecondition, "the mailbox cannot be read: \(error.description)")
        }
    }

    static func message(_ preview: MMSCore.MeetingPreview) -> MMSMessages.MeetingPreview {
        let outcome: PreviewOutcome
        switch preview.outcome {
        case .migrated: outcome = .migrated
        case .skipped: outcome = .skipped
        case .failed: outcome = .failed
        case .notSelected: outcome = .notSelected
        }
        let skip: MMSMessages.SkipReason
        switch preview.skipReason {
        case nil: skip = .unspecified
        case .noBlock: skip = .noBlock
        case .overParticipantLimit: skip = .overParticipantLimit
        case .pasted: skip = .pasted
        case .past: skip = .past
        case .notSelected: skip = .notSelected
        case .unreadable: skip = .unreadable
        case .deleted: skip = .deleted
        }
        let undetermined: UndeterminedDetails
        switch preview.undetermined {
        case .nothing: undetermined = .nothing
        case .joinURL: undetermined = .joinUrl
        case .joinDetails: undetermined = .joinDetails
        }
        var body = preview.body ?? ""
        var resource = preview.resource ?? ""
        var diff = preview.diff
        let omitted = body.utf8.count + resource.utf8.count + diff.utf8.count > previewDetailLimit
        if omitted { (body, resource, diff) = ("", "", "") }
        return MMSMessages.MeetingPreview(
            meetingId: preview.meeting.rawValue, location: preview.location, subject: preview.subject,
            startMicros: Convert.micros(preview.start), organizer: preview.organizer,
            attendeeCount: UInt32(clamping: preview.attendeeCount), outcome: outcome, skipReason: skip, reason: preview.reason,
            oldBlock: preview.oldBlock ?? "", newBlock: preview.newBlock ?? "",
            targetKind: preview.targetKind.map(Convert.kind) ?? .unspecified, newJoinUrl: preview.newJoinURL ?? "",
            undetermined: undetermined, body: body, sequence: UInt32(clamping: preview.sequence ?? 0), resource: resource,
            stampedProperties: preview.stampedProperties, writes: preview.writes, diff: diff, detailsOmitted: omitted)
    }
}

/// How many WatchMigration streams may run at once (PROTOCOL.md §8); `mms-server --max-watches`
/// and `--max-watches-per-tenant` set them.
public struct WatchLimits: Sendable, Hashable {
    /// Watches at once on the whole server.
    public var total: Int
    /// Watches at once for one tenant (all its tokens together).
    public var perTenant: Int

    public init(total: Int, perTenant: Int) {
        self.total = total
        self.perTenant = perTenant
    }

    public static let defaults = WatchLimits(total: 256, perTenant: 32)
}

/// Counts watches (or previews) in progress against a limit per tenant and one for the server
/// (issue 16), so one tenant's reader token cannot take every place from the others.
final class WatchLimiter: Sendable {
    let limits: WatchLimits
    /// What is counted, for the refusal's message: "watches", "previews".
    let what: String
    private let counts = Mutex<(total: Int, byTenant: [TenantID: Int])>((0, [:]))

    init(limits: WatchLimits, what: String = "watches") {
        self.limits = limits
        self.what = what
    }

    /// Takes a place for `tenant`.
    /// - Throws: `RESOURCE_EXHAUSTED` naming the limit that is reached; nothing is taken then.
    func enter(_ tenant: TenantID) throws(RPCError) {
        let limits = self.limits
        let what = self.what
        let refusal: String? = self.counts.withLock { counts in
            let mine = counts.byTenant[tenant, default: 0]
            if mine >= limits.perTenant {
                return "this tenant already runs \(limits.perTenant) \(what) (the most one tenant may); end one, or retry later"
            }
            if counts.total >= limits.total {
                return "the server already runs \(limits.total) \(what); retry later"
            }
            counts.total += 1
            counts.byTenant[tenant] = mine + 1
            return nil
        }
        if let refusal { throw RPCError(.resourceExhausted, refusal) }
    }

    /// Gives back a place `enter` took for `tenant`.
    func leave(_ tenant: TenantID) {
        self.counts.withLock { counts in
            counts.total -= 1
            let mine = counts.byTenant[tenant, default: 1] - 1
            counts.byTenant[tenant] = mine == 0 ? nil : mine
        }
    }

    /// Watches in progress: in all, and for `tenant`.
    func inUse(_ tenant: TenantID) -> (total: Int, tenant: Int) {
        self.counts.withLock { ($0.total, $0.byTenant[tenant, default: 0]) }
    }
}
