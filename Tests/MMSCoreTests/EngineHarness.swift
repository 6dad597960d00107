import Foundation
import MMSCore
import MMSCoreTesting
import MMSSQLite
import Synchronization
import Testing

/// An engine over a real SQLite file in a temporary directory, with a manual clock.
struct EngineHarness {
    let directory: TemporaryDirectory
    let store: SQLiteMigrationStore
    let clock: ManualClock
    let engine: MigrationEngine
    let tenant = Fixtures.tenant

    static let hold: Duration = .seconds(90 * 60)

    init(
        configuration: MigrationEngineConfiguration = MigrationEngineConfiguration(),
        conferencing: (@Sendable (SQLiteMigrationStore) -> ConferencingServices)? = nil,
        directory: TemporaryDirectory? = nil,
        clock: ManualClock = ManualClock(),
        mailboxes: (@Sendable (SQLiteMigrationStore) -> any MailboxDirectory)? = nil
    ) throws {
        self.directory = try directory ?? TemporaryDirectory()
        store = try SQLiteMigrationStore(directory: self.directory.path)
        self.clock = clock
        engine = MigrationEngine(
            store: store, clock: clock, configuration: configuration, conferencing: conferencing?(store), mailboxes: mailboxes?(store))
    }

    /// A harness whose bridges exist.
    static func make(
        configuration: MigrationEngineConfiguration = MigrationEngineConfiguration(),
        conferencing: (@Sendable (SQLiteMigrationStore) -> ConferencingServices)? = nil,
        mailboxes: (@Sendable (SQLiteMigrationStore) -> any MailboxDirectory)? = nil
    ) async throws -> EngineHarness {
        let harness = try EngineHarness(configuration: configuration, conferencing: conferencing, mailboxes: mailboxes)
        try await harness.engine.saveBridge(Fixtures.bridge)
        try await harness.engine.saveBridge(Fixtures.otherBridge)
        return harness
    }

    @discardableResult
    func addUser(_ user: User) async throws -> User { try await engine.createUser(user) }

    /// Schedules a meeting `daysAhead` days from now with the given body text around the block.
    @discardableResult
    func addMeeting(
        _ organizer: User, daysAhead: Double = 2, kind: MeetingKind = .skypeOnline, format: BodyFormat = .html,
        body: String = "Agenda: quarterly review", attendees: [String] = ["bob@contoso.com", "carol@fabrikam.com"],
        subject: String = "Quarterly review", attachments: [MMSCore.Attachment] = Fixtures.meeting(organizer: Fixtures.user("x"), start: Date()).attachments
    ) async throws -> CalendarMeeting {
        let start = clock.now().addingTimeInterval(daysAhead * 86_400)
        // A meeting in the past is refused when added (issue 9): add it while it was still ahead,
        // then come back to now, as if time had passed since.
        let rewind: Duration = daysAhead < 0 ? .seconds(-daysAhead * 86_400 + 3600) : .zero
        clock.advance(by: .zero - rewind)
        defer { clock.advance(by: rewind) }
        return try await engine.scheduleMeeting(tenant: tenant, NewMeeting(
            organizer: organizer.userPrincipalName, attendees: attendees, start: start, end: start.addingTimeInterval(3600),
            subject: subject, body: body, bodyFormat: format, attachments: attachments, kind: kind))
    }

    /// Lets the hold pass and processes everything due.
    @discardableResult
    func passHoldAndRun() async throws -> Int {
        clock.advance(by: Self.hold)
        return try await engine.runDueWork()
    }

    func meeting(_ id: MeetingID) async throws -> CalendarMeeting { try await engine.meeting(tenant: tenant, id: id) }

    func status(_ user: User) async throws -> [MigrationStatusRecord] {
        try await engine.migrationStatus(tenant: tenant, query: StatusQuery(identity: user.userPrincipalName))
    }
}

/// A conferencing service that fails while told to, around a real one (M7 tests).
final class FlakyConferencing: ConferencingService {
    let base: any ConferencingService
    let failuresLeft: Mutex<Int>
    var kind: MeetingKind { base.kind }

    init(_ base: any ConferencingService, failures: Int) {
        self.base = base
        failuresLeft = Mutex(failures)
    }

    func lookUp(joinURL: String) async throws -> OnlineMeeting? { try await base.lookUp(joinURL: joinURL) }

    func schedule(for calendarMeeting: CalendarMeeting, organizer: User) async throws -> OnlineMeeting {
        let fail = failuresLeft.withLock { left -> Bool in
            guard left > 0 else { return false }
            left -= 1
            return true
        }
        if fail { throw ConferencingError("the Teams service timed out; no action needed if it recovers") }
        return try await base.schedule(for: calendarMeeting, organizer: organizer)
    }
}

/// Bytes of a string, for comparisons Swift's canonical equivalence would blur (M8).
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
