// A small driver the crash-recovery tests launch and kill with SIGKILL (kill -9).
//
//   mms-engine-crashtest seed DIR USERS MEETINGS   users with meetings, one migration queued each (hold 0)
//   mms-engine-crashtest run DIR [STALL]           process until every migration is finished and the outbox is empty;
//                                                  with STALL, hang inside the conferencing service once STALL meetings
//                                                  were scheduled, so a kill always lands mid-migration
//   mms-engine-crashtest enqueue DIR COUNT         enqueue COUNT migrations concurrently, printing "ack ID" once each is durable
//
// Every line is flushed as soon as it is written, so the test can kill the process at a known point.
import Foundation
import Logging
import MMSCore
import MMSSQLite
import Synchronization

@MainActor
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let tenant = TenantID("crash")
let bridge = Bridge(
    id: BridgeID("bridge"), tenant: tenant, name: "Bridge",
    numbers: [DialInNumber(number: "+13238867531", label: "United States, Los Angeles (Toll)")])

/// Counts scheduled meetings across services; past the stall point, callers hang until killed.
final class StallGate: Sendable {
    let stallAfter: Int?
    let scheduled = Mutex(0)
    init(stallAfter: Int?) { self.stallAfter = stallAfter }

    /// Waits forever once the stall point is reached.
    func pass() async throws {
        guard let stallAfter else { return }
        if scheduled.withLock({ $0 }) >= stallAfter { try await Task.sleep(for: .seconds(3600)) }
    }

    func count() { scheduled.withLock { $0 += 1 } }
}

/// Announces every meeting it schedules and slows down a little, so a kill lands mid-migration.
struct AnnouncingConferencing: ConferencingService {
    let base: any ConferencingService
    let gate: StallGate
    var kind: MeetingKind { base.kind }
    func lookUp(joinURL: String) async throws -> OnlineMeeting? { try await base.lookUp(joinURL: joinURL) }
    func schedule(for calendarMeeting: CalendarMeeting, organizer: User) async throws -> OnlineMeeting {
        try await gate.pass()
        try await Task.sleep(for: .milliseconds(5))
        let meeting = try await base.schedule(for: calendarMeeting, organizer: organizer)
        gate.count()
        await say("scheduled \(calendarMeeting.id)")
        return meeting
    }
    /// The engine's path for the built-in calendar: decided here, saved with the batch's outcomes.
    func prepare(for calendarMeeting: CalendarMeeting, organizer: User) async throws -> PreparedOnlineMeeting {
        try await gate.pass()
        try await Task.sleep(for: .milliseconds(5))
        let prepared = try await base.prepare(for: calendarMeeting, organizer: organizer)
        gate.count()
        await say("scheduled \(calendarMeeting.id)")
        return prepared
    }
}

func engine(_ store: SQLiteMigrationStore, announce: Bool, stallAfter: Int? = nil) -> MigrationEngine {
    let gate = StallGate(stallAfter: stallAfter)
    var logger = Logger(label: "crashtest")
    logger.logLevel = .critical
    let services = ConferencingServices(MeetingKind.allCases.map { kind -> any ConferencingService in
        let builtIn = BuiltInConferencingService(kind: kind, store: store)
        return announce ? AnnouncingConferencing(base: builtIn, gate: gate) : builtIn
    })
    return MigrationEngine(
        store: store, clock: SystemMigrationClock(),
        configuration: MigrationEngineConfiguration(
            hold: .zero, workerCount: 3, leaseDuration: .seconds(2), pollInterval: .milliseconds(50), workerName: "pid\(getpid())"),
        conferencing: services, logger: logger)
}

func seed(_ directory: String, users: Int, meetings: Int) async throws {
    let store = try SQLiteMigrationStore(directory: directory)
    let engine = engine(store, announce: false)
    try await engine.saveBridge(bridge)
    for index in 0..<users {
        let user = User(
            tenant: tenant, userPrincipalName: "user\(index)@crash.example",
            audioConferencing: AudioConferencing(licensed: true, enabled: true, bridge: bridge.id, conferenceId: String(100_000_000 + index)))
        try await engine.createUser(user)
        for day in 0..<meetings {
            let start = Date().addingTimeInterval(Double(day + 1) * 86_400)
            _ = try await engine.scheduleMeeting(tenant: tenant, NewMeeting(
                organizer: user.userPrincipalName, attendees: ["a@crash.example", "b@crash.example"], start: start,
                end: start.addingTimeInterval(1800), subject: "Meeting \(day) – café 会議 👩🏽‍💻", body: "Agenda e\u{0301} \(day)",
                bodyFormat: day % 2 == 0 ? .html : .plainText, kind: .skypeOnline))
        }
        _ = try await engine.startMeetingMigration(tenant: tenant, identity: user.userPrincipalName, target: .teams)
    }
    await say("seeded")
}

func run(_ directory: String, stallAfter: Int?) async throws {
    let store = try SQLiteMigrationStore(directory: directory)
    let engine = engine(store, announce: true, stallAfter: stallAfter)
    let workers = Task { try await engine.run() }
    while true {
        try await Task.sleep(for: .milliseconds(50))
        let summary = try await engine.migrationSummary(tenant: tenant)
        let unfinished = (summary[.pending] ?? 0) + (summary[.inProgress] ?? 0)
        if unfinished == 0, try await store.unsentInvitations(limit: 1).isEmpty { break }
    }
    workers.cancel()
    try? await workers.value
    await say("done")
}

func enqueue(_ directory: String, count: Int) async throws {
    let store = try SQLiteMigrationStore(directory: directory)
    let engine = engine(store, announce: false)
    var users: [User] = []
    for index in 0..<count {
        users.append(try await engine.createUser(User(tenant: tenant, userPrincipalName: "enqueue\(index)@crash.example")))
    }
    await say("ready")
    try await withThrowingTaskGroup(of: Void.self) { group in
        for user in users {
            group.addTask {
                let outcome = try await engine.startMeetingMigration(tenant: tenant, identity: user.userPrincipalName)
                if let id = outcome.record?.correlationId { await say("ack \(id)") }
            }
        }
        try await group.waitForAll()
    }
    await say("done")
}

let arguments = CommandLine.arguments
do {
    switch arguments.count > 2 ? arguments[1] : "" {
    case "seed" where arguments.count == 5:
        try await seed(arguments[2], users: Int(arguments[3]) ?? 1, meetings: Int(arguments[4]) ?? 1)
    case "run" where arguments.count <= 4:
        try await run(arguments[2], stallAfter: arguments.count == 4 ? Int(arguments[3]) : nil)
    case "enqueue" where arguments.count == 4:
        try await enqueue(arguments[2], count: Int(arguments[3]) ?? 1)
    default:
        FileHandle.standardError.write(Data("usage: mms-engine-crashtest seed DIR USERS MEETINGS | run DIR | enqueue DIR COUNT\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
