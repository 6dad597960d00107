import Foundation
import Logging
import MMSCore
import MMSSQLite
import Synchronization

/// What one backlog run does.
struct BacklogParameters: Sendable {
    var users: Int
    var meetingsPerUser: Int
    var workers: Int
    /// A fresh folder for the SQLite file; `nil`: a new folder under the temporary directory.
    var dataDirectory: String?
    var keep: Bool
    var seedConcurrency: Int
    var enqueueConcurrency: Int
    var trigger: Trigger
    var logLevel: Logger.Level
    var timeoutSeconds: Double
    var plans: Bool
    /// Checks the checker: removes the online-meeting block from one meeting before the
    /// migration, so that meeting is skipped and the run must be reported as wrong.
    var injectFault = false
}

/// How every user's migration is triggered.
enum Trigger: String, Sendable, CaseIterable, Codable {
    /// T1: `Move-CsUser` of an on-premises user to online; their Skype on-premises meetings become
    /// Teams meetings with the dial-in of their bridge (scope SfbToTeams).
    case move
    /// T4: `Start-CsExMeetingMigration -TargetMeetingType Teams` for an online user with Skype
    /// Online meetings.
    case start

    var describe: String {
        switch self {
        case .move: "T1 Move-CsUser on-premises → online (Skype on-premises meetings → Teams with dial-in)"
        case .start: "T4 Start-CsExMeetingMigration -TargetMeetingType Teams (Skype Online meetings → Teams with dial-in)"
        }
    }
}

/// What one backlog run measured, and whether its result was right.
struct BacklogResult: Codable, Sendable {
    var users: Int
    var meetingsPerUser: Int
    var meetings: Int
    var workers: Int
    var trigger: Trigger
    var dataDirectory: String

    var seedSeconds = 0.0
    var seedMeetingsPerSecond = 0.0
    var enqueueSeconds = 0.0
    var enqueuesPerSecond = 0.0
    /// From starting the workers to the last migration finished (no unfinished row left).
    var migrationsFinishedSeconds = 0.0
    /// From starting the workers to the outbox drained: the end-to-end time.
    var seconds = 0.0
    var meetingsPerSecond = 0.0
    var migrationsPerSecond = 0.0
    /// Process CPU (user + system) during the migration phase, per meeting.
    var cpuMillisecondsPerMeeting = 0.0
    /// Store writes and transactions (fsyncs) during the migration phase, per meeting.
    var writesPerMeeting = 0.0
    var transactionsPerMeeting = 0.0

    var migrationsSucceeded = 0
    var migrationsNotSucceeded = 0
    var meetingsMigrated = 0
    var meetingsFailed = 0
    var meetingsSkipped = 0
    var invitationsQueued = 0
    var invitationsSent = 0
    var sendCalls = 0

    var sqliteBytes: Int64 = 0
    var walBytes: Int64 = 0
    var loadBefore = ""
    var loadAfter = ""
    var verifySeconds = 0.0
    var errors: [String] = []
    var errorCount = 0
    var plans: [QueryPlan] = []

    var ok: Bool { errorCount == 0 }

    mutating func fail(_ message: String) {
        errorCount += 1
        if errors.count < 20 { errors.append(message) }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Seeds a tenant, enqueues a migration for every user, runs the engine's workers as the server
/// does (`MigrationEngine.run()`, hold 0) until every migration finished and the outbox is
/// drained, then checks every migration, meeting, invitation and delivery.
enum Backlog {
    static let tenant = TenantID("contoso")
    static let bridge = Bridge(
        id: BridgeID("bridge-eu"), tenant: tenant, name: "EU bridge",
        numbers: [
            DialInNumber(number: "+442071234567", label: "United Kingdom, London (Toll)"),
            DialInNumber(number: "+33170000000", label: "France, Paris (Toll)"),
            DialInNumber(number: "+498001234567", label: "Germany (Toll-free)"),
        ])

    static func identity(_ user: Int) -> String { String(format: "user%06d@contoso.com", user) }

    static func run(_ p: BacklogParameters) async throws -> BacklogResult {
        let directory = p.dataDirectory
            ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("engine-bench-\(UUID().uuidString.prefix(8))")
        let file = (directory as NSString).appendingPathComponent(SQLiteMigrationStore.fileName)
        guard !FileManager.default.fileExists(atPath: file) else {
            throw BenchFailure("\(file) exists: the benchmark needs a fresh data directory")
        }
        defer { if !p.keep { try? FileManager.default.removeItem(atPath: directory) } }

        var result = BacklogResult(
            users: p.users, meetingsPerUser: p.meetingsPerUser, meetings: p.users * p.meetingsPerUser, workers: p.workers,
            trigger: p.trigger, dataDirectory: directory)
        result.loadBefore = loadAverage()

        var logger = Logger(label: "engine-bench")
        logger.logLevel = p.logLevel
        let store = try SQLiteMigrationStore(directory: directory, logger: logger)
        let clock = SystemMigrationClock()
        let sender = CountingSender(store: store, clock: clock)
        // The server's configuration (mms-server: MigrationEngineConfiguration(hold:retrySchedule:workerCount:)),
        // with hold 0 so the backlog is due at once.
        let configuration = MigrationEngineConfiguration(hold: .zero, workerCount: p.workers, workerName: "bench")
        let engine = MigrationEngine(store: store, clock: clock, configuration: configuration, sender: sender, logger: logger)
        try await engine.saveBridge(bridge)

        // Seed: users, then their meetings (not timed with the migration).
        let seedStart = clock.now()
        let meetingsPerUser = p.meetingsPerUser, trigger = p.trigger
        var started = monotonicSeconds()
        try await forEachConcurrently(p.users, width: p.seedConcurrency) { user in
            try await engine.createUser(Self.user(user, trigger: trigger))
        }
        try await forEachConcurrently(p.users * meetingsPerUser, width: p.seedConcurrency) { index in
            let request = Self.meeting(user: index / meetingsPerUser, number: index % meetingsPerUser, from: seedStart, trigger: trigger)
            _ = try await engine.scheduleMeeting(tenant: tenant, request)
        }
        result.seedSeconds = monotonicSeconds() - started
        result.seedMeetingsPerSecond = Double(result.meetings) / result.seedSeconds
        note("seeded \(p.users) users × \(p.meetingsPerUser) meetings in \(result.seedSeconds.fixed(1)) s")

        if p.injectFault, let victim = try await engine.meetings(tenant: tenant, organizer: Self.identity(0), from: seedStart).first {
            try await engine.editMeetingBody(tenant: tenant, meeting: victim.id, body: "<p>The organiser deleted the join link.</p>")
            note("fault injected: \(Self.identity(0))'s meeting '\(victim.subject)' has no online-meeting block any more")
        }

        // Enqueue one migration per user (hold 0: due at once; the workers are not running yet).
        started = monotonicSeconds()
        try await forEachConcurrently(p.users, width: p.enqueueConcurrency) { user in
            let outcome: EnqueueOutcome
            switch trigger {
            case .move:
                outcome = try await engine.moveUser(tenant: tenant, identity: Self.identity(user), to: .online).migration
            case .start:
                outcome = try await engine.startMeetingMigration(tenant: tenant, identity: Self.identity(user), target: .teams)
            }
            guard case .queued = outcome else { throw BenchFailure("\(Self.identity(user)): expected a queued migration, got \(outcome)") }
        }
        result.enqueueSeconds = monotonicSeconds() - started
        result.enqueuesPerSecond = Double(p.users) / result.enqueueSeconds
        note("enqueued \(p.users) migrations in \(result.enqueueSeconds.fixed(2)) s; running \(p.workers) workers")

        // Migrate: the engine's own loop, as the server's EngineService runs it.
        let writesBefore = store.writeStatistics
        let cpuBefore = processCPUSeconds()
        started = monotonicSeconds()
        let runner = Task { try await engine.run() }
        var finishedAt: Double?
        var drainedAt: Double?
        var lastTick = started
        while drainedAt == nil {
            try await Task.sleep(for: .milliseconds(20))
            let now = monotonicSeconds()
            if finishedAt == nil, try await store.nextDueDate() == nil { finishedAt = now }
            if finishedAt != nil, try await store.unsentInvitations(limit: 1).isEmpty { drainedAt = now; break }
            if now - lastTick >= 10 {
                lastTick = now
                let summary = try await engine.migrationSummary(tenant: tenant)
                let retrying = try await engine.migrationStatus(tenant: tenant, query: StatusQuery(state: .inProgress, limit: p.users))
                    .filter { $0.retryCount > 0 }
                note("  \(Int(now - started)) s: \(summary[.succeeded] ?? 0) succeeded, \(summary[.inProgress] ?? 0) in progress, "
                    + "\(summary[.pending] ?? 0) pending, \(summary[.failed] ?? 0) failed; \(sender.counts.calls) invitations sent")
                if let first = retrying.first {
                    result.fail("\(retrying.count) migration(s) waiting for a retry, e.g. \(first.userPrincipalName): \(first.lastMessage)")
                    break
                }
            }
            if now - started > p.timeoutSeconds {
                result.fail("timed out after \(p.timeoutSeconds) s")
                break
            }
        }
        runner.cancel()
        _ = await runner.result
        let cpu = processCPUSeconds() - cpuBefore
        let writesAfter = store.writeStatistics
        if let finishedAt, let drainedAt {
            result.migrationsFinishedSeconds = finishedAt - started
            result.seconds = drainedAt - started
            result.meetingsPerSecond = Double(result.meetings) / result.seconds
            result.migrationsPerSecond = Double(p.users) / result.seconds
        }
        result.cpuMillisecondsPerMeeting = cpu * 1000 / Double(max(1, result.meetings))
        result.writesPerMeeting = Double(writesAfter.writes - writesBefore.writes) / Double(max(1, result.meetings))
        result.transactionsPerMeeting = Double(writesAfter.transactions - writesBefore.transactions) / Double(max(1, result.meetings))
        result.loadAfter = loadAverage()
        result.sqliteBytes = fileSize(file)
        result.walBytes = fileSize(file + "-wal")
        note("migrated in \(result.seconds.fixed(2)) s; checking every migration, meeting and invitation")

        started = monotonicSeconds()
        let sample = try await verify(engine: engine, store: store, sender: sender, from: seedStart, parameters: p, into: &result)
        result.verifySeconds = monotonicSeconds() - started
        if p.plans, let sample { result.plans = try await QueryPlans.collect(store: store, sample: sample) }
        return result
    }

    /// Checks the result from the status records, the meeting outcomes, the meetings themselves,
    /// the outbox and the deliveries. Returns real identifiers for the query plans.
    static func verify(
        engine: MigrationEngine, store: SQLiteMigrationStore, sender: CountingSender, from: Date, parameters p: BacklogParameters,
        into result: inout BacklogResult
    ) async throws -> PlanSample? {
        let records = try await engine.migrationStatus(tenant: tenant, query: StatusQuery(limit: p.users * 2 + 10))
        let summary = try await engine.migrationSummary(tenant: tenant)
        if records.count != p.users { result.fail("\(records.count) migration records for \(p.users) users") }
        if summary[.succeeded] != p.users || summary[.failed] != 0 || summary[.pending] != 0 || summary[.inProgress] != 0 {
            result.fail("summary \(summary) is not \(p.users) users succeeded")
        }
        let expectedType: MigrationType = p.trigger == .move ? .sfbToTeams : .allToTeams
        for record in records {
            result.meetingsMigrated += record.succeededMeetings
            result.meetingsFailed += record.failedMeetings
            result.meetingsSkipped += record.skippedMeetings
            result.invitationsQueued += record.invitesUpdated
            if record.state == .succeeded { result.migrationsSucceeded += 1 } else { result.migrationsNotSucceeded += 1 }
            let m = p.meetingsPerUser
            if record.state != .succeeded || record.totalMeetings != m || record.succeededMeetings != m || record.failedMeetings != 0
                || record.skippedMeetings != 0 || record.invitesUpdated != m || record.retryCount != 0 || record.migrationType != expectedType
            {
                result.fail("\(record.userPrincipalName): \(record.state) \(record.migrationType) total \(record.totalMeetings) "
                    + "migrated \(record.succeededMeetings) failed \(record.failedMeetings) skipped \(record.skippedMeetings) "
                    + "invites \(record.invitesUpdated) retries \(record.retryCount): \(record.lastMessage)")
            }
        }
        let counts = sender.counts
        result.invitationsSent = counts.distinct
        result.sendCalls = counts.calls
        if counts.calls != result.meetings || counts.distinct != result.meetings {
            result.fail("the sender was called \(counts.calls) times for \(counts.distinct) invitations, expected \(result.meetings) once each")
        }

        // Every meeting, one user at a time (8 users in flight).
        let byUser = Dictionary(records.map { ($0.userPrincipalName.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        let problems = ProblemList()
        let sample = SampleBox()
        let meetingsPerUser = p.meetingsPerUser
        try await forEachConcurrently(p.users, width: 8) { user in
            let upn = Self.identity(user)
            guard let record = byUser[upn] else { problems.add("\(upn): no migration record"); return }
            let outcomes = try await engine.meetingOutcomes(correlationId: record.correlationId)
            if outcomes.count != meetingsPerUser || outcomes.contains(where: { $0.outcome != .migrated }) {
                problems.add("\(upn): \(outcomes.count) outcomes, not \(meetingsPerUser) migrated: \(outcomes.first { $0.outcome != .migrated }?.reason ?? "")")
            }
            let meetings = try await engine.meetings(tenant: tenant, organizer: upn, from: from)
            if meetings.count != meetingsPerUser { problems.add("\(upn): \(meetings.count) meetings, expected \(meetingsPerUser)") }
            for meeting in meetings {
                let blocks = InvitationBlock.find(in: meeting.body, format: meeting.bodyFormat)
                guard meeting.kind == .teams, meeting.version == 2, blocks.count == 1, blocks[0].kind == .teams else {
                    problems.add("\(upn) '\(meeting.subject)': kind \(meeting.kind), version \(meeting.version), blocks \(blocks.map(\.kind))")
                    continue
                }
                let invitations = try await engine.invitations(tenant: tenant, meeting: meeting.id)
                guard invitations.count == 1, let invitation = invitations.first, invitation.sent != nil, invitation.body == meeting.body,
                    invitation.recipients == meeting.attendees
                else {
                    problems.add("\(upn) '\(meeting.subject)': \(invitations.count) invitation(s), sent \(invitations.first?.sent != nil)")
                    continue
                }
                let deliveries = try await store.deliveries(forMeeting: meeting.id)
                if deliveries.count != 1 || deliveries[0].attempts != 1 {
                    problems.add("\(upn) '\(meeting.subject)': \(deliveries.count) deliveries, attempts \(deliveries.map(\.attempts))")
                }
                if user == 0 && sample.value == nil {
                    sample.set(PlanSample(
                        userId: record.userId.rawValue, principalName: upn, migration: record.correlationId.rawValue,
                        meeting: meeting.id.rawValue, joinURL: blocks[0].joinURL, invitation: invitation.id))
                }
            }
        }
        for problem in problems.all { result.fail(problem) }
        result.errorCount += problems.dropped
        return sample.value
    }

    static func user(_ index: Int, trigger: Trigger) -> User {
        User(
            tenant: tenant, userPrincipalName: identity(index), homing: trigger == .move ? .onPremises : .online,
            audioConferencing: AudioConferencing(
                licensed: true, provider: .microsoft, enabled: true, bridge: bridge.id,
                // Unique on the bridge by construction (random ids could clash at 10k users).
                conferenceId: String(100_000_000 + index)))
    }

    static let topics = [
        "Quarterly review", "Weekly sync", "Release planning", "Customer escalation", "Design review", "1:1",
        "Budget 2026", "Hiring panel", "Incident retrospective", "Roadmap workshop",
    ]

    /// A meeting as Outlook would create it through the service: the organiser's text, then the
    /// online-meeting block the service appends; HTML for four in five, plain text otherwise.
    static func meeting(user: Int, number: Int, from: Date, trigger: Trigger) -> NewMeeting {
        var random = SeededRandom(seed: UInt64(user) << 20 | UInt64(number))
        let topic = topics[Int(random.next() % UInt64(topics.count))]
        let day = 1 + Int(random.next() % 90)
        let start = from.addingTimeInterval(Double(day) * 86_400 + Double(8 + Int(random.next() % 9)) * 3600)
        let minutes = [30, 45, 60, 90][Int(random.next() % 4)]
        let attendees = (0..<(2 + Int(random.next() % 11))).map { _ in
            "person\(random.next() % 5000)@\(random.next() % 3 == 0 ? "fabrikam.com" : "contoso.com")"
        }
        let html = number % 5 != 4
        let subject = "\(topic) #\(number + 1)"
        let body: String
        if html {
            body = """
                <html><body><div style="font-family:Calibri,sans-serif;font-size:11pt">
                <p>Hi all,</p>
                <p>Let's meet for the <b>\(topic.lowercased())</b>. Agenda:</p>
                <ol><li>Status of open items &amp; owners</li><li>Risks, dependencies and dates</li><li>Decisions needed — café ☕ afterwards</li></ol>
                <p>Please read the notes beforehand and add your points to the shared document.</p>
                <p>Thanks,<br>\(identity(user))</p>
                </div>
                """
        } else {
            body = "Hi all,\r\n\r\nAgenda for the \(topic.lowercased()):\r\n - status of open items\r\n - risks and dates\r\n"
                + " - decisions needed\r\n\r\nThanks,\r\n\(identity(user))"
        }
        let attachments = number % 4 == 0
            ? [Attachment(name: "agenda.pdf", contentType: "application/pdf", content: Data((0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ user) }))]
            : []
        return NewMeeting(
            organizer: identity(user), attendees: attendees, start: start, end: start.addingTimeInterval(Double(minutes) * 60),
            subject: subject, body: body, bodyFormat: html ? .html : .plainText, attachments: attachments,
            kind: trigger == .move ? .skypeOnPremises : .skypeOnline)
    }
}

/// Problems found by concurrent checks (the first 20 kept, the rest counted).
final class ProblemList: Sendable {
    private let state = Mutex<(kept: [String], dropped: Int)>(([], 0))
    func add(_ problem: String) {
        state.withLock { if $0.kept.count < 20 { $0.kept.append(problem) } else { $0.dropped += 1 } }
    }
    var all: [String] { state.withLock { $0.kept } }
    var dropped: Int { state.withLock { $0.dropped } }
}

final class SampleBox: Sendable {
    private let state = Mutex<PlanSample?>(nil)
    func set(_ sample: PlanSample) { state.withLock { if $0 == nil { $0 = sample } } }
    var value: PlanSample? { state.withLock { $0 } }
}

/// User plus system CPU seconds of this process.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
