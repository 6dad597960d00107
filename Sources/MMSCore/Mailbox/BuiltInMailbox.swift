import Foundation

/// The built-in calendar (the embedded default): the meetings kept in the store's own tables.
///
/// The engine writes a built-in meeting's rewrite in the same store transaction as its outcome
/// and its invitation (``MigrationStore/recordMeetingOutcome(_:rewrite:invitation:lease:)``), so
/// ``write(_:)`` here serves callers outside a migration only.
public struct BuiltInMailbox: Mailbox {
    let store: any MigrationStore

    /// The built-in calendar over `store`.
    public init(store: any MigrationStore) { self.store = store }

    public var description: String { "built-in calendar" }

    public func futureMeetings(of organizer: User, now: Date) async throws -> [MailboxMeeting] {
        try await Self.future(store: store, organizer: organizer, now: now).map(Self.wrap)
    }

    /// The store's meetings of `organizer` that are still to come: single ones starting at or after
    /// `now`, recurring series with an occurrence still to end (R2).
    static func future(store: any MigrationStore, organizer: User, now: Date) async throws -> [CalendarMeeting] {
        try await store.meetings(organizer.tenant, organizedBy: organizer.id, startingFrom: now)
            .filter { $0.recurrence == nil || $0.nextOccurrence(endingAfter: now) != nil }
    }

    public func reread(_ meeting: MailboxMeeting, of organizer: User, now: Date) async throws -> MailboxMeeting? {
        try await store.meeting(organizer.tenant, id: meeting.meeting.id).map(Self.wrap)
    }

    public func write(_ rewrite: MailboxRewrite) async throws -> MailboxMeeting {
        let original = rewrite.original.meeting
        guard let current = try await store.meeting(original.tenant, id: original.id) else {
            throw MailboxError.deleted("the meeting '\(original.subject)' was deleted from the built-in calendar")
        }
        guard current.version == original.version else {
            throw MailboxError.changed("the meeting '\(original.subject)' was changed in the built-in calendar since it was read")
        }
        var meeting = current
        meeting.body = rewrite.body(current.body, current.bodyFormat)
        meeting.kind = rewrite.target.kind
        meeting.createdThroughService = true
        meeting.version += 1
        try await store.saveMeeting(meeting)
        return Self.wrap(meeting)
    }

    public func add(_ meeting: CalendarMeeting, organizer: User) async throws -> MailboxMeeting {
        try await store.saveMeeting(meeting)
        return Self.wrap(meeting)
    }

    public func test(organizer: User, now: Date) async throws -> MailboxTestReport {
        MailboxTestReport(calendars: ["built-in"], futureMeetings: try await futureMeetings(of: organizer, now: now).count)
    }

    static func wrap(_ meeting: CalendarMeeting) -> MailboxMeeting {
        MailboxMeeting(meeting: meeting, revision: String(meeting.version), location: meeting.id.rawValue)
    }
}

/// Every tenant on the built-in calendar.
public struct BuiltInMailboxDirectory: MailboxDirectory {
    let mailbox: BuiltInMailbox

    /// The built-in calendar over `store` for every tenant.
    public init(store: any MigrationStore) { self.mailbox = BuiltInMailbox(store: store) }

    public func mailbox(for tenant: TenantID) async throws -> any Mailbox { mailbox }
}
