// A small driver the crash-recovery tests launch and kill with SIGKILL (kill -9).
//
//   mms-engine-crashtest seed DIR USERS MEETINGS   users with meetings, one migration queued each (hold 0)
//   mms-engine-crashtest run DIR                   process until every migration is finished and the outbox is empty
//   mms-engine-crashtest enqueue DIR COUNT         enqueue COUNT migrations concurrently, printing "ack ID" once each is durable
//
// Every line is flushed as soon as it is written, so the test can kill the process at a known point.
import Foundation
import Logging
import MMSCore
import MMSSQLite

@MainActor
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let tenant = TenantID("crash")
let bridge = Bridge(
    id: BridgeID("bridge"), tenant: tenant, name: "Bridge",
    numbers: [DialInNumber(number: "+13238867531", label: "United States, Los Angeles (Toll)")])

/// Announces every meeting it schedules and slows down a little, so a kill lands mid-migration.
struct AnnouncingConferencing: ConferencingService {
    let base: any ConferencingService
    var kind: MeetingKind { base.kind }
    func lookUp(joinURL: String) async throws -> OnlineMeeting? { try await base.lookUp(joinURL: joinURL) }
    func schedule(for calendarMeeting: CalendarMeeting, organizer: User) async throws -> OnlineMeeting {
        try await Task.sleep(for: .milliseconds(15))
        let meeting = try await base.schedule(for: calendarMeeting, organizer: organizer)
        await say("scheduled \(calendarMeeting.id)")
        return meeting
    }
}

func engine(_ store: SQLiteMigrationStore, announce: Bool) -> MigrationEngine {
    var logger = Logger(label: "crashtest")
    logger.logLevel = .critical
    let services = ConferencingServices(MeetingKind.allCases.map { kind -> any ConferencingService in
        let builtIn = BuiltInConferencingService(kind: kind, store: store)
        return announce ? AnnouncingConferencing(base: builtIn) : builtIn
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

func run(_ directory: String) async throws {
    let store = try SQLiteMigrationStore(directory: directory)
    let engine = engine(store, announce: true)
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
    case "run":
        try await run(arguments[2])
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
