import Foundation

/// Where a tenant's meetings live (R1): the built-in calendar (the embedded default) or a
/// calendar server. The engine finds and rewrites meetings only through this protocol, so it does
/// not know which backend it talks to.
///
/// A mailbox knows its protocol (iCalendar over CalDAV, or the store's tables) and nothing of
/// RPC. Every write is conditional on the revision that was read (R3).
public protocol Mailbox: Sendable {
    /// A name for messages and logs, e.g. `built-in` or `CalDAV https://cal.example.com/`.
    var description: String { get }

    /// The meetings `organizer` organises that have an occurrence ending after `now` (M2 step 1;
    /// R2: a recurring series with any future occurrence is one meeting, one wholly in the past is
    /// left out). A resource the mailbox cannot read is returned as an ``MailboxMeeting/unreadable``
    /// entry, not as an error, so the rest of the migration goes on.
    /// - Throws: ``MailboxError`` when the mailbox itself cannot be read (credentials, server down).
    func futureMeetings(of organizer: User, now: Date) async throws -> [MailboxMeeting]

    /// Reads one meeting again (after a conflict), or nil when it is gone.
    func reread(_ meeting: MailboxMeeting, of organizer: User, now: Date) async throws -> MailboxMeeting?

    /// Writes `rewrite` back, if the meeting is still at the revision it was read at (R3): every
    /// body the meeting holds goes through ``MailboxRewrite/body``, its join properties name the
    /// new online meeting, and its sequence rises by one (R4). Every other byte is kept.
    /// - Returns: the meeting as written (its new revision).
    /// - Throws: ``MailboxError``: `.changed` when someone changed it meanwhile (re-read and re-plan),
    ///   `.deleted`, `.denied` (credentials or rights), `.unavailable` (retry later), `.malformed`.
    func write(_ rewrite: MailboxRewrite) async throws -> MailboxMeeting

    /// What ``write(_:)`` would send for `rewrite`, sending and changing nothing (the migration
    /// preview): the meeting's resource as read and as it would be written, or nil for a mailbox
    /// whose meetings are not resources (the built-in calendar: the preview shows its body).
    /// `now` stands for the time of the write (stamps such as DTSTAMP).
    func previewWrite(_ rewrite: MailboxRewrite, now: Date) async throws -> MailboxWritePreview?

    /// Adds a new meeting to the organiser's calendar (`mms meeting add`), never over an existing one.
    func add(_ meeting: CalendarMeeting, organizer: User) async throws -> MailboxMeeting

    /// Finds `organizer`'s calendars and counts the future meetings they organise, changing
    /// nothing (`mms tenant mailbox test`).
    /// - Throws: ``MailboxError`` saying what to fix (credentials, URL, a server that is down).
    func test(organizer: User, now: Date) async throws -> MailboxTestReport
}

/// One meeting as a mailbox holds it.
public struct MailboxMeeting: Sendable, Hashable {
    /// The meeting as the engine plans on it: its identifier (a CalDAV meeting's is its UID), the
    /// organiser, attendees, the first start still relevant, subject, and one body: the HTML body
    /// when the meeting has one, the plain-text body otherwise. ``CalendarMeeting/version`` is the
    /// meeting's sequence.
    public var meeting: CalendarMeeting
    /// What the mailbox compares on write: the built-in calendar's version, a CalDAV ETag.
    public var revision: String
    /// Where it lives: the built-in meeting id, a CalDAV resource's URL.
    public var location: String
    /// Set when the resource could not be read as a meeting: why, naming the resource. The
    /// migration records the meeting as failed or skipped with this reason.
    public var unreadable: String?
    /// The meeting's calendar resource as the server holds it (a CalDAV server's iCalendar bytes),
    /// sent as the iMIP REQUEST of its invitation (R5); nil for the built-in calendar, whose
    /// invitation's calendar is written from the meeting.
    public var resource: [UInt8]?

    /// Creates a mailbox meeting.
    public init(meeting: CalendarMeeting, revision: String, location: String, unreadable: String? = nil, resource: [UInt8]? = nil) {
        self.meeting = meeting
        self.revision = revision
        self.location = location
        self.unreadable = unreadable
        self.resource = resource
    }
}

extension Mailbox {
    /// No resources: nothing beyond the rewritten body to show.
    public func previewWrite(_ rewrite: MailboxRewrite, now: Date) async throws -> MailboxWritePreview? { nil }
}

/// A meeting's resource before and after the write a migration would make (the preview).
public struct MailboxWritePreview: Sendable, Hashable {
    /// The resource as the mailbox holds it now.
    public var before: [UInt8]
    /// The resource as ``Mailbox/write(_:)`` would send it.
    public var after: [UInt8]
    /// The properties whose value is the time of the write (e.g. `DTSTAMP`, `LAST-MODIFIED`):
    /// in ``after`` they carry the preview's time.
    public var stampedProperties: [String]

    /// Creates a write preview.
    public init(before: [UInt8], after: [UInt8], stampedProperties: [String]) {
        self.before = before
        self.after = after
        self.stampedProperties = stampedProperties
    }
}

/// What a migration writes back to one meeting.
public struct MailboxRewrite: Sendable {
    /// The meeting as read; its ``MailboxMeeting/revision`` is the condition of the write.
    public var original: MailboxMeeting
    /// The join details the old block carried (to recognise join properties that name it).
    public var source: JoinDetails?
    /// The online meeting that replaces it.
    public var target: OnlineMeeting
    /// Rewrites one body of the meeting (plain text or HTML, master or overridden instance):
    /// replaces its online-meeting block, keeps every other byte (M3).
    public var body: @Sendable (String, BodyFormat) -> String

    /// Creates a rewrite.
    public init(original: MailboxMeeting, source: JoinDetails?, target: OnlineMeeting, body: @escaping @Sendable (String, BodyFormat) -> String) {
        self.original = original
        self.source = source
        self.target = target
        self.body = body
    }
}

/// Why a mailbox refused or failed an operation. Each case's message names what to fix.
public enum MailboxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The meeting changed since it was read (HTTP 412): re-read it and plan again.
    case changed(String)
    /// The meeting no longer exists (HTTP 404).
    case deleted(String)
    /// The credentials or rights are not enough (HTTP 401, 403): an admin must fix them.
    case denied(String)
    /// The server could not be reached or failed (5xx, timeouts, refused connections): retried (M7).
    case unavailable(String)
    /// The server sent something that is not what the protocol says (a resource, a response).
    case malformed(String)
    /// The mailbox is not set up right (a wrong URL, no calendar found).
    case misconfigured(String)

    public var description: String {
        switch self {
        case .changed(let text), .deleted(let text), .denied(let text), .unavailable(let text), .malformed(let text), .misconfigured(let text):
            text
        }
    }
}

/// Gives the engine each tenant's mailbox. The built-in calendar is the default.
public protocol MailboxDirectory: Sendable {
    /// The mailbox of `tenant`'s users.
    func mailbox(for tenant: TenantID) async throws -> any Mailbox
}
