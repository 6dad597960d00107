import AsyncHTTPClient
import Foundation
import Logging
import MMSCore
import MMSICalendar
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// A tenant's mailbox on a CalDAV server (RFC 4791, issue 17): finds each organiser's future
/// meetings with `REPORT calendar-query` and writes a migrated meeting back with one conditional
/// `PUT` (`If-Match` on the ETag read), keeping every byte of the resource but the lines the
/// migration had to change.
///
/// One instance serves one tenant for as long as its settings hold; it caches each user's calendar
/// URLs and the resources it read (so a write needs no `GET`). It shares the server's `HTTPClient`:
/// its TLS configuration (system trust store, or only the CA file) goes with each request. Build that
/// client with ``httpClientConfiguration()`` so redirects are followed here, up to the limit.
public final class CalDAVMailbox: Mailbox {
    let settings: MailboxSettings
    let baseURL: URL
    let transport: CalDAVTransport
    let limits: CalDAVLimits
    let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var calendars: [String: [URL]] = [:]
        /// Resource bytes as read, by location, with the ETag they were read at.
        var resources: [String: (etag: String, bytes: [UInt8])] = [:]
    }

    /// The most resources kept in memory for writing without a `GET`.
    static let cachedResourceLimit = 20_000

    /// Creates the mailbox for `settings`.
    /// - Parameters:
    ///   - settings: The tenant's mailbox settings (kind ``MailboxSettings/Kind/calDAV``).
    ///   - password: The service account's password (HTTP Basic), or nil for none.
    ///   - httpClient: The client to send requests with (shared; see ``httpClientConfiguration()``).
    ///   - logger: Where requests are logged (never with credentials).
    ///   - limits: Size, time and redirect bounds.
    /// - Throws: ``MailboxError/misconfigured(_:)`` for a URL that is not `http(s)://host/...`, for
    ///   plain `http://` to a host other than loopback without ``MailboxSettings/allowInsecureHTTP``,
    ///   or for a CA file that cannot be read as PEM certificates.
    /// Told of every HTTP request the mailbox sends (metrics): its method, the status it got (nil
    /// when none came: a timeout, a refused connection, a TLS failure) and how long it took.
    public typealias RequestObserver = @Sendable (_ method: String, _ status: Int?, _ nanoseconds: Int64) -> Void

    public init(
        settings: MailboxSettings, password: String?, httpClient: HTTPClient, logger: Logger, limits: CalDAVLimits = .defaults,
        requestObserver: RequestObserver? = nil
    ) throws {
        guard let url = URL(string: settings.url.trimmingCharacters(in: .whitespaces)),
              let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty
        else {
            throw MailboxError.misconfigured("the CalDAV URL '\(settings.url)' is not an http:// or https:// URL with a host; set --url to the server's address")
        }
        if scheme == "http", !FieldRules.isLoopback(host), !settings.allowInsecureHTTP {
            throw MailboxError.misconfigured(
                "the CalDAV URL '\(settings.url)' is plain http:// to \(host), which is not loopback; use https://, or allow it explicitly with --allow-insecure-http")
        }
        var tls: TLSConfiguration?
        if scheme == "https" {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if !settings.caFile.isEmpty {
                do {
                    let certificates = try NIOSSLCertificate.fromPEMFile(settings.caFile)
                    guard !certificates.isEmpty else { throw MailboxError.misconfigured("") }
                    configuration.trustRoots = .certificates(certificates)
                } catch {
                    throw MailboxError.misconfigured("the CA file '\(settings.caFile)' could not be read as PEM certificates; set --ca-file to a readable PEM file")
                }
            }
            tls = configuration
        }
        var authorization: String?
        if !settings.username.isEmpty || password != nil {
            let credentials = "\(settings.username):\(password ?? "")"
            authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
        }
        self.settings = settings
        self.baseURL = url
        self.limits = limits
        self.logger = logger
        self.transport = CalDAVTransport(
            client: httpClient, authorization: authorization, tlsConfiguration: tls, limits: limits, logger: logger, username: settings.username,
            observer: requestObserver)
    }

    /// The configuration a shared client for CalDAV mailboxes should have: redirects are not
    /// followed by the client (the mailbox follows them itself, capped, to the same origin only).
    public static func httpClientConfiguration() -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        return configuration
    }

    public var description: String { "CalDAV \(settings.url)" }

    /// How many HTTP requests this mailbox has sent, by method (`PROPFIND`, `REPORT`, `PUT`, `GET`),
    /// each redirect followed counting as one more: for benchmarks and tests (the goal is one
    /// discovery per user, two REPORTs per calendar, one PUT per meeting and no GET but after a 412).
    public var requestCounts: [String: Int] { transport.counter.snapshot }

    // MARK: Mailbox

    public func futureMeetings(of organizer: User, now: Date) async throws -> [MailboxMeeting] {
        try await find(organizer, now: now).meetings
    }

    public func reread(_ meeting: MailboxMeeting, of organizer: User, now: Date) async throws -> MailboxMeeting? {
        guard let url = URL(string: meeting.location) else {
            throw MailboxError.malformed("the CalDAV meeting's location '\(meeting.location)' is not a URL")
        }
        let response = try await transport.send(.GET, url, maxBytes: limits.maxResourceBytes, what: "GET \(url.path)")
        switch response.status {
        case 200:
            break
        case 404, 410:
            forget(meeting.location)
            return nil
        default:
            throw failure(response, what: "reading \(url.absoluteString)")
        }
        guard let etag = response.headers.first(name: "ETag") else {
            throw MailboxError.malformed("the CalDAV server sent \(url.absoluteString) without an ETag, so it cannot be written back safely")
        }
        let bytes = [UInt8](response.body)
        remember(meeting.location, etag: etag, bytes: bytes)
        do {
            return try ResourceMapping.meeting(
                from: bytes, location: meeting.location, etag: etag, tenant: organizer.tenant, organizerID: organizer.id,
                organizerAddresses: ResourceMapping.addresses(of: organizer), now: now)
        } catch {
            return MailboxMeeting(unreadable: "\(meeting.location): \(error.description)", location: meeting.location, tenant: organizer.tenant, organizer: organizer.id, now: now)
        }
    }

    public func write(_ rewrite: MailboxRewrite) async throws -> MailboxMeeting {
        let original = rewrite.original
        let (url, _, rewritten) = try await rewrittenResource(rewrite, now: Date())
        let response = try await transport.send(
            .PUT, url, headers: [("If-Match", original.revision), ("Content-Type", "text/calendar; charset=utf-8")],
            body: Data(rewritten), maxBytes: limits.maxResponseBytes, what: "PUT \(url.path)")
        switch response.status {
        case 200, 201, 204:
            break
        case 412:
            forget(original.location)
            // A 412 is also what a server such as Xandikos answers for If-Match on a resource that
            // no longer exists: one GET tells the two apart.
            let check = try? await transport.send(.GET, url, maxBytes: limits.maxResourceBytes, what: "GET \(url.path)")
            if let check, check.status == 404 || check.status == 410 {
                throw MailboxError.deleted("the event \(url.absoluteString) was deleted from the CalDAV server")
            }
            throw MailboxError.changed("the event \(url.absoluteString) was changed on the CalDAV server since it was read (412 Precondition Failed); nothing was overwritten")
        case 404, 410:
            forget(original.location)
            throw MailboxError.deleted("the event \(url.absoluteString) was deleted from the CalDAV server")
        default:
            throw failure(response, what: "writing \(url.absoluteString)")
        }
        let meeting = original.meeting
        return try await written(
            url, location: original.location, bytes: rewritten, etag: response.headers.first(name: "ETag"),
            tenant: meeting.tenant, organizerID: meeting.organizer)
    }

    /// The resource as read (from the cache, or a GET at the revision planned on) and as the
    /// write would send it; the stamps (DTSTAMP, LAST-MODIFIED) are `now`. Writes nothing.
    public func previewWrite(_ rewrite: MailboxRewrite, now: Date) async throws -> MailboxWritePreview? {
        let (_, before, after) = try await rewrittenResource(rewrite, now: now)
        return MailboxWritePreview(before: before, after: after, stampedProperties: ResourceMapping.stampedProperties)
    }

    /// What ``write(_:)`` and ``previewWrite(_:now:)`` share: the resource read at the revision
    /// planned on, and rewritten.
    private func rewrittenResource(_ rewrite: MailboxRewrite, now: Date) async throws -> (URL, before: [UInt8], after: [UInt8]) {
        let original = rewrite.original
        guard let url = URL(string: original.location) else {
            throw MailboxError.malformed("the CalDAV meeting's location '\(original.location)' is not a URL")
        }
        let bytes: [UInt8]
        if let cached = cachedResource(original.location, etag: original.revision) {
            bytes = cached
        } else {
            // Not read by this mailbox (another instance read it): fetch it at the revision planned on.
            let response = try await transport.send(.GET, url, maxBytes: limits.maxResourceBytes, what: "GET \(url.path)")
            switch response.status {
            case 200: break
            case 404, 410: throw MailboxError.deleted("the event \(url.absoluteString) was deleted from the CalDAV server")
            default: throw failure(response, what: "reading \(url.absoluteString)")
            }
            guard response.headers.first(name: "ETag") == original.revision else {
                throw MailboxError.changed("the event \(url.absoluteString) was changed on the CalDAV server since it was read")
            }
            bytes = [UInt8](response.body)
        }
        let rewritten: [UInt8]
        do {
            rewritten = try ResourceMapping.rewrite(bytes, uid: original.meeting.id.rawValue, rewrite: rewrite, now: now)
        } catch {
            throw MailboxError.malformed("\(url.absoluteString): \(error.description)")
        }
        guard rewritten.count <= limits.maxResourceBytes else {
            throw MailboxError.malformed("\(url.absoluteString): the rewritten event is larger than \(limits.maxResourceBytes) bytes")
        }
        return (url, bytes, rewritten)
    }

    public func add(_ meeting: CalendarMeeting, organizer: User) async throws -> MailboxMeeting {
        let calendars = try await calendars(of: organizer)
        guard let calendar = calendars.first else {
            throw MailboxError.misconfigured("no calendar holding events was found for \(organizer.userPrincipalName)")
        }
        let name = meeting.id.rawValue.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~@"))) ?? meeting.id.rawValue
        let url = calendar.appendingPathComponent(name + ".ics", isDirectory: false)
        let bytes = ResourceMapping.newResource(for: meeting, organizerAddress: organizer.userPrincipalName, now: Date())
        let response = try await transport.send(
            .PUT, url, headers: [("If-None-Match", "*"), ("Content-Type", "text/calendar; charset=utf-8")],
            body: Data(bytes), maxBytes: limits.maxResponseBytes, what: "PUT \(url.path)")
        switch response.status {
        case 200, 201, 204:
            break
        case 412, 409:
            throw MailboxError.changed(
                "the calendar \(calendar.absoluteString) already holds an event with UID \(meeting.id.rawValue) (HTTP \(response.status)); nothing was overwritten")
        default:
            throw failure(response, what: "adding \(url.absoluteString)")
        }
        return try await written(
            url, location: url.absoluteString, bytes: bytes, etag: response.headers.first(name: "ETag"),
            tenant: organizer.tenant, organizerID: organizer.id)
    }

    /// Discovers `organizer`'s calendars and counts the future meetings they organise, changing nothing
    /// (`mms tenant mailbox test`).
    /// - Throws: ``MailboxError`` naming what to fix (credentials, URL, path template, server down).
    public func test(organizer: User, now: Date) async throws -> MailboxTestReport {
        let found = try await find(organizer, now: now)
        let meetings = found.meetings.filter { $0.unreadable == nil }
        let unreadable = found.meetings.compactMap(\.unreadable)
        return MailboxTestReport(
            calendars: found.calendars.map(\.absoluteString), futureMeetings: meetings.count, unreadable: Array(unreadable.prefix(5)))
    }

    // MARK: Finding

    private func find(_ organizer: User, now: Date) async throws(MailboxError) -> (calendars: [URL], meetings: [MailboxMeeting]) {
        let calendars = try await calendars(of: organizer)
        var meetings: [MailboxMeeting] = []
        for calendar in calendars {
            // 1. The time-range query (RFC 4791 §9.9). 2. Every recurring event, whatever the
            // server's expansion: Xandikos 0.2.8 leaves out a series whose first occurrence is
            // before the range, so our own code decides which series recur after now.
            let ranged = try await report(calendar, filter: Queries.timeRange(from: now))
            let recurring = try await report(calendar, filter: Queries.recurring)
            var seen = Set<String>()
            for entry in ranged + recurring {
                guard seen.insert(entry.location).inserted else { continue }
                if let meeting = map(entry, organizer: organizer, now: now) { meetings.append(meeting) }
            }
        }
        return (calendars, meetings)
    }

    /// One resource of a calendar-query answer.
    struct ReportEntry {
        var location: String
        var etag: String?
        var data: [UInt8]?
        var problem: String?
    }

    private func map(_ entry: ReportEntry, organizer: User, now: Date) -> MailboxMeeting? {
        func unreadable(_ why: String) -> MailboxMeeting {
            MailboxMeeting(unreadable: "\(entry.location): \(why)", location: entry.location, tenant: organizer.tenant, organizer: organizer.id, now: now)
        }
        if let problem = entry.problem { return unreadable(problem) }
        guard let data = entry.data else { return unreadable("the CalDAV server sent no calendar-data for it") }
        guard let etag = entry.etag, !etag.isEmpty else { return unreadable("the CalDAV server sent no ETag for it") }
        do {
            guard let meeting = try ResourceMapping.meeting(
                from: data, location: entry.location, etag: etag, tenant: organizer.tenant, organizerID: organizer.id,
                organizerAddresses: ResourceMapping.addresses(of: organizer), now: now)
            else { return nil }
            remember(entry.location, etag: etag, bytes: data)
            return meeting
        } catch {
            return unreadable(error.description)
        }
    }

    private func report(_ calendar: URL, filter: String) async throws(MailboxError) -> [ReportEntry] {
        let body = Queries.calendarQuery(filter: filter)
        let response = try await transport.send(
            .init(rawValue: "REPORT"), calendar, headers: [("Depth", "1"), ("Content-Type", "application/xml; charset=utf-8")],
            body: Data(body.utf8), maxBytes: limits.maxResponseBytes, what: "REPORT calendar-query on \(calendar.path)")
        guard response.status == 207 else {
            if response.status == 404 {
                forgetCalendars()
                throw MailboxError.misconfigured("the calendar \(calendar.absoluteString) does not exist (404); check the path template or the discovery")
            }
            throw failure(response, what: "querying \(calendar.absoluteString)")
        }
        let responses: [MultistatusResponse]
        do {
            responses = try MultistatusParser.parse(response.body)
        } catch {
            throw MailboxError.malformed("the CalDAV server's answer to REPORT on \(calendar.absoluteString): \(error.description)")
        }
        // XML parsers turn CRLF into LF (XML 1.0 §2.11). When the raw answer carried CRs and the
        // calendar-data has none left, its line endings were CRLF on the server.
        let rawHasCR = response.body.contains(0x0D)
        return responses.compactMap { item -> ReportEntry? in
            guard let location = URL(string: item.href, relativeTo: response.url)?.absoluteURL.absoluteString else {
                return ReportEntry(location: item.href, problem: "its href is not a URL")
            }
            if location == calendar.absoluteString { return nil }
            if let status = item.status, status != 200 {
                return status == 404 ? nil : ReportEntry(location: location, problem: "the CalDAV server answered \(status) for it")
            }
            let etag = item.property(DAVNamespace.dav, "getetag")?.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard var text = item.property(DAVNamespace.caldav, "calendar-data")?.text else {
                return ReportEntry(location: location, etag: etag, problem: "the CalDAV server sent no calendar-data for it")
            }
            if rawHasCR, !text.contains("\r") { text = text.replacingOccurrences(of: "\n", with: "\r\n") }
            let bytes = Array(text.utf8)
            guard bytes.count <= limits.maxResourceBytes else {
                return ReportEntry(location: location, etag: etag, problem: "it is larger than \(limits.maxResourceBytes) bytes")
            }
            return ReportEntry(location: location, etag: etag, data: bytes)
        }
    }

    /// After a successful PUT: the meeting as written, with the server's new ETag, or read back
    /// when the server gave none.
    private func written(_ url: URL, location: String, bytes: [UInt8], etag: String?, tenant: TenantID, organizerID: UserID) async throws -> MailboxMeeting {
        var bytes = bytes
        var etag = etag
        if etag == nil {
            let response = try await transport.send(.GET, url, maxBytes: limits.maxResourceBytes, what: "GET \(url.path)")
            guard response.status == 200, let read = response.headers.first(name: "ETag") else {
                throw MailboxError.malformed("the CalDAV server gave no ETag for \(url.absoluteString) after writing it (GET answered \(response.status))")
            }
            etag = read
            bytes = [UInt8](response.body)
        }
        guard let etag else { throw MailboxError.malformed("no ETag for \(url.absoluteString)") }
        remember(location, etag: etag, bytes: bytes)
        do {
            guard let meeting = try ResourceMapping.meeting(
                from: bytes, location: location, etag: etag, tenant: tenant, organizerID: organizerID, organizerAddresses: nil, now: nil)
            else { throw MailboxError.malformed("\(url.absoluteString): the written event cannot be read back") }
            return meeting
        } catch let error as ResourceMapping.Problem {
            throw MailboxError.malformed("\(url.absoluteString): \(error.description)")
        }
    }

    // MARK: Discovery

    /// The calendars (collections holding VEVENTs) of `user`, cached for the mailbox's life.
    func calendars(of user: User) async throws(MailboxError) -> [URL] {
        let key = MailAddress.key(user.userPrincipalName)
        if let cached = state.withLock({ $0.calendars[key] }) { return cached }
        let homes: [URL]
        if settings.pathTemplate.isEmpty {
            homes = try await discoverHomes(for: user)
        } else {
            homes = [try templateHome(for: user)]
        }
        var calendars: [URL] = []
        for home in homes { calendars += try await listCalendars(home, user: user) }
        guard !calendars.isEmpty else {
            throw MailboxError.misconfigured(
                "no calendar holding events was found for \(user.userPrincipalName) under \(homes.map(\.absoluteString).joined(separator: ", ")); check the path template")
        }
        let found = calendars
        state.withLock { $0.calendars[key] = found }
        return found
    }

    func templateHome(for user: User) throws(MailboxError) -> URL {
        let upn = user.userPrincipalName
        let local = upn.split(separator: "@", maxSplits: 1).first.map(String.init) ?? upn
        let segment = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))
        let path = settings.pathTemplate
            .replacingOccurrences(of: "{user}", with: upn.addingPercentEncoding(withAllowedCharacters: segment) ?? upn)
            .replacingOccurrences(of: "{local}", with: local.addingPercentEncoding(withAllowedCharacters: segment) ?? local)
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let joined = base + (path.hasPrefix("/") ? path : "/" + path)
        guard let url = URL(string: joined) else {
            throw MailboxError.misconfigured("the path template '\(settings.pathTemplate)' gives '\(joined)' for \(upn), which is not a URL")
        }
        return url
    }

    private func discoverHomes(for user: User) async throws(MailboxError) -> [URL] {
        var principal: URL?
        var tried: [String] = []
        var candidates = [baseURL]
        if let wellKnown = URL(string: "/.well-known/caldav", relativeTo: baseURL)?.absoluteURL { candidates.append(wellKnown) }
        for candidate in candidates {
            tried.append(candidate.absoluteString)
            let found = try await propfind(candidate, depth: "0", properties: "<D:current-user-principal/>", allowMissing: true)
            if let href = found.first(where: { $0.property(DAVNamespace.dav, "current-user-principal") != nil })?
                .property(DAVNamespace.dav, "current-user-principal")?.hrefs.first,
               let url = URL(string: href, relativeTo: candidate)?.absoluteURL {
                principal = url
                break
            }
        }
        guard let principal else {
            throw MailboxError.misconfigured(
                "the CalDAV server names no current-user-principal at \(tried.joined(separator: " or ")); set a path template such as /{user}/")
        }
        let found = try await propfind(principal, depth: "0", properties: "<C:calendar-home-set/>", allowMissing: false)
        let hrefs = found.compactMap { $0.property(DAVNamespace.caldav, "calendar-home-set") }.flatMap(\.hrefs)
        let homes = hrefs.compactMap { URL(string: $0, relativeTo: principal)?.absoluteURL }
        guard !homes.isEmpty else {
            throw MailboxError.misconfigured(
                "the principal \(principal.absoluteString) names no calendar-home-set for \(user.userPrincipalName); set a path template such as /{user}/")
        }
        return homes
    }

    private func listCalendars(_ home: URL, user: User) async throws(MailboxError) -> [URL] {
        let found = try await propfind(home, depth: "1", properties: "<D:resourcetype/><C:supported-calendar-component-set/>", allowMissing: true)
        if found.isEmpty {
            throw MailboxError.misconfigured("there is no calendar home at \(home.absoluteString) for \(user.userPrincipalName) (404); check the path template")
        }
        return found.compactMap { response -> URL? in
            guard let types = response.property(DAVNamespace.dav, "resourcetype"),
                  types.children.contains(PropertyName(namespace: DAVNamespace.caldav, name: "calendar"))
            else { return nil }
            let components = response.property(DAVNamespace.caldav, "supported-calendar-component-set")?.componentNames ?? []
            guard components.isEmpty || components.contains(where: { $0.uppercased() == "VEVENT" }) else { return nil }
            guard let url = URL(string: response.href, relativeTo: home)?.absoluteURL else { return nil }
            return url.absoluteString.hasSuffix("/") ? url : URL(string: url.absoluteString + "/") ?? url
        }
    }

    /// A PROPFIND; `allowMissing` turns a 404 into no responses.
    private func propfind(_ url: URL, depth: String, properties: String, allowMissing: Bool) async throws(MailboxError) -> [MultistatusResponse] {
        let body = """
            <?xml version="1.0" encoding="utf-8"?>
            <D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>\(properties)</D:prop></D:propfind>
            """
        let response = try await transport.send(
            .init(rawValue: "PROPFIND"), url, headers: [("Depth", depth), ("Content-Type", "application/xml; charset=utf-8")],
            body: Data(body.utf8), maxBytes: limits.maxResponseBytes, what: "PROPFIND \(url.path)")
        if response.status == 404, allowMissing { return [] }
        guard response.status == 207 else { throw failure(response, what: "discovering calendars at \(url.absoluteString)") }
        do {
            return try MultistatusParser.parse(response.body)
        } catch {
            throw MailboxError.malformed("the CalDAV server's answer to PROPFIND on \(url.absoluteString): \(error.description)")
        }
    }

    // MARK: Statuses

    /// The error for a status the caller did not expect.
    func failure(_ response: CalDAVTransport.Response, what: String) -> MailboxError {
        let status = response.status
        let reason = HTTPResponseStatus(statusCode: status).reasonPhrase
        switch status {
        case 401:
            return .denied("the CalDAV server refused \(settings.username)'s credentials for \(what) (401 \(reason)); check the mailbox's username and password")
        case 403:
            return .denied("the CalDAV server refused \(settings.username)'s rights for \(what) (403 \(reason)); give the service account write access to the user's calendars")
        case 404, 410:
            return .deleted("\(what): the CalDAV server answered \(status) \(reason)")
        case 412:
            return .changed("\(what): the CalDAV server answered 412 Precondition Failed")
        case 500...599:
            return .unavailable("the CalDAV server failed \(what) (\(status) \(reason)); retried later")
        default:
            return .malformed("the CalDAV server answered \(what) with an unexpected \(status) \(reason)")
        }
    }

    // MARK: Cache

    private func remember(_ location: String, etag: String, bytes: [UInt8]) {
        state.withLock { state in
            if state.resources.count >= Self.cachedResourceLimit, state.resources[location] == nil {
                state.resources.removeValue(forKey: state.resources.keys.first!)
            }
            state.resources[location] = (etag, bytes)
        }
    }

    private func cachedResource(_ location: String, etag: String) -> [UInt8]? {
        state.withLock { state in
            guard let entry = state.resources[location], entry.etag == etag else { return nil }
            return entry.bytes
        }
    }

    private func forget(_ location: String) {
        _ = state.withLock { $0.resources.removeValue(forKey: location) }
    }

    private func forgetCalendars() {
        state.withLock { $0.calendars = [:] }
    }
}

extension MailboxMeeting {
    /// A resource that could not be read as a meeting: a placeholder whose id derives from the resource's URL.
    init(unreadable why: String, location: String, tenant: TenantID, organizer: UserID, now: Date) {
        let meeting = CalendarMeeting(
            id: MeetingID("caldav:" + location), tenant: tenant, organizer: organizer, attendees: [], start: now, end: now,
            subject: location, body: "", bodyFormat: .plainText, kind: .teams, createdThroughService: true, version: 0)
        self.init(meeting: meeting, revision: "", location: location, unreadable: why)
    }
}

/// The XML bodies of the two calendar queries.
enum Queries {
    static func calendarQuery(filter: String) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">\
        <D:prop><D:getetag/><C:calendar-data/></D:prop>\
        <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">\(filter)</C:comp-filter></C:comp-filter></C:filter>\
        </C:calendar-query>
        """
    }

    /// Events with an instance from `now` on, open-ended (RFC 4791 §9.9: `start` without `end`).
    static func timeRange(from now: Date) -> String {
        "<C:time-range start=\"\(ResourceMapping.utcStamp(now))\"/>"
    }

    /// Every event with an RRULE, in or out of any range.
    static let recurring = "<C:prop-filter name=\"RRULE\"/>"
}
