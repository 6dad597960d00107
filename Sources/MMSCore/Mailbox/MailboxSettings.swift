import Foundation

/// Which mailbox a tenant's meetings live in, and how to reach it (issue 17). The secret (a
/// CalDAV password) is not part of it: it is kept apart, readable by the server's user only,
/// and never returned (R6).
public struct MailboxSettings: Sendable, Hashable, Codable {
    /// The kinds of mailbox.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The store's own calendar (the embedded default).
        case builtIn
        /// A CalDAV server (RFC 4791).
        case calDAV
    }

    /// The tenant.
    public var tenant: TenantID
    /// The kind.
    public var kind: Kind
    /// CalDAV: the server's URL (its root, or where discovery starts), `https://` unless allowed otherwise.
    public var url: String
    /// CalDAV: the service account's user name (HTTP Basic).
    public var username: String
    /// CalDAV: where a user's calendars are when the server has no discovery, e.g. `/{user}/`
    /// (`{user}` is the principal name, `{local}` its part before the @); empty means discovery
    /// (RFC 6764/4791: principal, calendar-home-set, calendars holding VEVENTs).
    public var pathTemplate: String
    /// CalDAV: a PEM file of certificate authorities to trust instead of the system's; empty for the system's.
    public var caFile: String
    /// CalDAV: plain `http://` to a host other than loopback, allowed explicitly by the admin.
    public var allowInsecureHTTP: Bool
    /// Whether a password is stored for it (the password itself is never here).
    public var passwordSet: Bool

    /// Creates settings; the defaults are the built-in calendar.
    public init(
        tenant: TenantID, kind: Kind = .builtIn, url: String = "", username: String = "", pathTemplate: String = "",
        caFile: String = "", allowInsecureHTTP: Bool = false, passwordSet: Bool = false
    ) {
        self.tenant = tenant
        self.kind = kind
        self.url = url
        self.username = username
        self.pathTemplate = pathTemplate
        self.caFile = caFile
        self.allowInsecureHTTP = allowInsecureHTTP
        self.passwordSet = passwordSet
    }
}

/// What `mms tenant mailbox test --identity U` found, changing nothing.
public struct MailboxTestReport: Sendable, Hashable {
    /// The calendars found for the user (their URLs).
    public var calendars: [String]
    /// How many future meetings the user organises in them.
    public var futureMeetings: Int
    /// How many resources could not be read as meetings, with why (at most a few).
    public var unreadable: [String]

    /// Creates a report.
    public init(calendars: [String], futureMeetings: Int, unreadable: [String] = []) {
        self.calendars = calendars
        self.futureMeetings = futureMeetings
        self.unreadable = unreadable
    }
}
