import AsyncHTTPClient
import Foundation
import Logging
import MMSCalDAV
import MMSCore
import MMSICalendar
import Testing

/// One contract suite, run against real Radicale and Xandikos servers started by the tests.
/// Radicale is reached with a path template (`/{user}/`) and the service account; Xandikos (no
/// authentication) through discovery (current-user-principal, calendar-home-set).
@Suite("CalDAV mailbox against real servers")
struct CalDAVContractTests {
    /// A started server with the organiser's calendar populated, a client and a mailbox.
    struct Setup {
        var server: CalDAVServer
        var client: HTTPClient
        var mailbox: CalDAVMailbox
        var calendarURL: String
        var curl: Curl

        func url(_ uid: String) -> String { calendarURL + uid + ".ics" }

        func close() { server.stop() }
    }

    static func settings(for server: CalDAVServer, url: String? = nil) -> MailboxSettings {
        switch server.kind {
        case .radicale:
            MailboxSettings(
                tenant: Fixtures.tenant, kind: .calDAV, url: url ?? server.base + "/", username: CalDAVServer.username, pathTemplate: "/{user}/",
                passwordSet: true)
        case .xandikos:
            MailboxSettings(tenant: Fixtures.tenant, kind: .calDAV, url: url ?? server.base + "/", passwordSet: false)
        }
    }

    static func setUp(_ kind: CalDAVServer.Kind, populate: Bool = true, password: String = CalDAVServer.password) async throws -> Setup {
        let server = try await CalDAVServer.start(kind)
        let curl = Curl(user: kind == .radicale ? "\(CalDAVServer.username):\(CalDAVServer.password)" : nil)
        let calendarURL: String
        switch kind {
        case .radicale:
            // Radicale lowercases nothing: the principal is the user name as written in the path.
            let home = server.base + "/" + Fixtures.organizer.replacingOccurrences(of: "@", with: "%40") + "/"
            #expect(try curl.request("MKCOL", home).status == 201)
            #expect(try curl.request("MKCALENDAR", home + "calendar/").status == 201)
            calendarURL = home + "calendar/"
        case .xandikos:
            calendarURL = server.base + "/user/calendars/calendar/"
        }
        if populate {
            for resource in Fixtures.resources {
                let status = try curl.put(calendarURL + resource.uid + ".ics", resource.data)
                #expect((200..<300).contains(status), "PUT \(resource.uid) answered \(status)")
            }
        }
        let client = Self.client
        let mailbox = try CalDAVMailbox(
            settings: settings(for: server), password: kind == .radicale ? password : nil, httpClient: client,
            logger: Logger(label: "test.caldav"))
        return Setup(server: server, client: client, mailbox: mailbox, calendarURL: calendarURL, curl: curl)
    }

    static let now = Date()

    /// One client for every mailbox of the tests, as the server shares one (never shut down: it lives as long as the test process).
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: CalDAVMailbox.httpClientConfiguration())

    static var user: User {
        // Xandikos serves the single principal /user/ whatever the user: same organiser address.
        Fixtures.user
    }

    static func rewrite(_ meeting: MailboxMeeting) -> MailboxRewrite {
        MailboxRewrite(original: meeting, source: nil, target: Fixtures.target, body: Fixtures.rewriteBody)
    }

    // MARK: Finding

    @Test("futureMeetings finds exactly the organiser's meetings with a future occurrence", arguments: CalDAVServer.Kind.allCases)
    func findsFutureMeetings(_ kind: CalDAVServer.Kind) async throws {
        let setup = try await Self.setUp(kind)
        defer { setup.close() }
        let found = try await setup.mailbox.futureMeetings(of: Self.user, now: Self.now)
        #expect(found.allSatisfy { $0.unreadable == nil }, "\(found.compactMap(\.unreadable))")
        #expect(Set(found.map(\.meeting.id.rawValue)) == Fixtures.future)
        #expect(found.count == Fixtures.future.count)
        let byID = Dictionary(uniqueKeysWithValues: found.map { ($0.meeting.id.rawValue, $0) })

        let html = try #require(byID["html-future"])
        #expect(html.meeting.bodyFormat == .html)
        #expect(html.meeting.body.contains("<p>Agenda: budget &amp; staffing</p>"))
        #expect(html.meeting.kind == .skypeOnline)
        #expect(html.meeting.version == 1)
        #expect(html.meeting.attendees == ["bob@example.com", "carol@example.com"])
        #expect(html.meeting.organizer == Fixtures.user.id)
        #expect(html.meeting.subject == "Budget review")
        // 09:00 in Paris on 3 March 2036 (CET, +01:00) is 08:00 UTC.
        #expect(html.meeting.start == Date(timeIntervalSince1970: 2_088_144_000))
        #expect(html.location == setup.url("html-future"))
        #expect(!html.revision.isEmpty)

        let plain = try #require(byID["plain-future"])
        #expect(plain.meeting.bodyFormat == .plainText)
        #expect(plain.meeting.body.hasPrefix(Fixtures.international + "\n"))
        #expect(plain.meeting.version == 0)
        #expect(plain.meeting.subject == "Kick-off 会议 📅")
        #expect(plain.meeting.attachments.map(\.name) == ["agenda.pdf"])
        #expect(plain.meeting.attachments.first?.contentType == "application/pdf")
        #expect(plain.meeting.attachments.first?.content == Data("%PDF-1.4 agenda\n\u{1}\u{2}binary".utf8))

        let weekly = try #require(byID["weekly-series"])
        #expect(weekly.meeting.version == 2)
        #expect(weekly.meeting.start > Self.now || weekly.meeting.end > Self.now)
        #expect(weekly.meeting.end.timeIntervalSince(weekly.meeting.start) == 1_800)

        let big = try #require(byID["participants-251"])
        #expect(big.meeting.participantCount(organizerAddress: Fixtures.organizer) == 251)
        #expect(try #require(byID["participants-250"]).meeting.participantCount(organizerAddress: Fixtures.organizer) == 250)
    }

    /// Why the second query exists (docs/ENGINE.md): Radicale 3.1.8 applies the time range to the
    /// expanded recurrences (RFC 4791 §9.9), Xandikos 0.2.8 only to the first one.
    @Test("which servers expand recurrences in a time-range query", arguments: CalDAVServer.Kind.allCases)
    func serverExpansion(_ kind: CalDAVServer.Kind) async throws {
        let setup = try await Self.setUp(kind)
        defer { setup.close() }
        let query = """
            <?xml version="1.0" encoding="utf-8"?>
            <C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>\
            <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20300101T000000Z"/>\
            </C:comp-filter></C:comp-filter></C:filter></C:calendar-query>
            """
        let answer = try setup.curl.request(
            "REPORT", setup.calendarURL, body: Data(query.utf8), headers: ["Depth: 1", "Content-Type: application/xml; charset=utf-8"])
        #expect(answer.status == 207)
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(text.contains("html-future.ics"))
        #expect(!text.contains("past-series.ics"))
        // A series whose first occurrence is past and no instance of which is overridden in range.
        #expect(text.contains("weekly-plain.ics") == (kind == .radicale), "\(kind): \(text)")
        // (The series with an overridden instance in range is found by both, through that instance.)
        #expect(text.contains("weekly-series.ics"))
    }

    @Test("test() counts the future meetings and names the calendar", arguments: CalDAVServer.Kind.allCases)
    func testReport(_ kind: CalDAVServer.Kind) async throws {
        let setup = try await Self.setUp(kind)
        defer { setup.close() }
        let report = try await setup.mailbox.test(organizer: Self.user, now: Self.now)
        #expect(report.futureMeetings == Fixtures.future.count)
        #expect(report.calendars == [setup.calendarURL])
        #expect(report.unreadable.isEmpty)
    }

    // MARK: Writing

    @Test("write() changes only the lines that had to change; SEQUENCE + 1; the rest is kept", arguments: CalDAVServer.Kind.allCases)
    func writeKeepsEveryOtherLine(_ kind: CalDAVServer.Kind) async throws {
        let setup = try await Self.setUp(kind)
        defer { setup.close() }
        let found = try await setup.mailbox.futureMeetings(of: Self.user, now: Self.now)
        let changeable: Set<String> = [
            "DESCRIPTION", "X-ALT-DESC", "LOCATION", "CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL", "X-MICROSOFT-ONLINEMEETINGINFORMATION",
            "SEQUENCE", "DTSTAMP", "LAST-MODIFIED",
        ]
        for meeting in found where meeting.meeting.id.rawValue != "pasted-block" {
            let uid = meeting.meeting.id.rawValue
            let before = ContentLines(try setup.curl.get(setup.url(uid)))
            let written = try await setup.mailbox.write(Self.rewrite(meeting))
            let after = ContentLines(try setup.curl.get(setup.url(uid)))

            // Every line that is not a line the migration may change is byte for byte the same, in order.
            let keptBefore = before.raw.filter { !changeable.contains(ContentLines.name($0)) }
            let keptAfter = after.raw.filter { !changeable.contains(ContentLines.name($0)) }
            #expect(keptBefore == keptAfter, "\(kind) \(uid): lines other than the join lines changed")
            if keptBefore != keptAfter {
                let unfoldedEqual = before.unfolded.filter { !changeable.contains(ContentLines.name($0)) }
                    == after.unfolded.filter { !changeable.contains(ContentLines.name($0)) }
                #expect(unfoldedEqual, "\(kind) \(uid): even unfolded, other lines changed")
            }
            // Only the bodies and join properties that named the old meeting changed.
            let added = after.unfolded.filter { !before.unfolded.contains($0) }.map(ContentLines.name)
            let removed = before.unfolded.filter { !after.unfolded.contains($0) }.map(ContentLines.name)
            #expect(Set(added + removed).isSubset(of: changeable), "\(kind) \(uid): \(added) \(removed)")
            #expect(added.contains("DESCRIPTION") || added.contains("X-ALT-DESC"), "\(kind) \(uid): no body changed")
            let afterText = after.unfolded.joined(separator: "\n")
            #expect(!afterText.contains(Fixtures.skype.joinURL), "\(uid) still names the old meeting")
            #expect(afterText.contains("meetup-join"), "\(uid) does not name the new meeting")
            // SEQUENCE + 1 for the master (and each rewritten instance).
            let sequencesBefore = before.unfolded.filter { ContentLines.name($0) == "SEQUENCE" }.map { Int($0.dropFirst(9)) ?? -1 }
            let sequencesAfter = after.unfolded.filter { ContentLines.name($0) == "SEQUENCE" }.map { Int($0.dropFirst(9)) ?? -1 }
            if sequencesBefore.isEmpty {
                #expect(sequencesAfter == [1], "\(uid)")
            } else {
                #expect(sequencesAfter == sequencesBefore.map { $0 + 1 }, "\(uid)")
            }
            #expect(written.meeting.version == meeting.meeting.version + 1)
            #expect(written.revision != meeting.revision)
            #expect(written.meeting.body == Fixtures.rewriteBody(meeting.meeting.body, meeting.meeting.bodyFormat))
            // EXDATE, RRULE, RECURRENCE-ID, VTIMEZONE, VALARM, ATTACH and X- lines are among the kept ones.
            if uid == "weekly-series" {
                #expect(keptAfter.contains { $0.hasPrefix("EXDATE;TZID=Europe/Paris:20360107T090000") })
                #expect(after.unfolded.filter { ContentLines.name($0) == "DESCRIPTION" }.allSatisfy { $0.contains("meetup-join") })
            }
            if uid == "html-future" {
                let location = try #require(after.unfolded.first { ContentLines.name($0) == "LOCATION" })
                #expect(location == "LOCATION:Room 4 / " + Fixtures.target.joinURL)
                #expect(after.unfolded.contains("X-MICROSOFT-SKYPETEAMSMEETINGURL:" + Fixtures.target.joinURL))
                #expect(after.unfolded.contains { $0.hasPrefix("CONFERENCE;") && $0.hasSuffix(":" + Fixtures.target.joinURL) })
                let information = try #require(after.unfolded.first { ContentLines.name($0) == "X-MICROSOFT-ONLINEMEETINGINFORMATION" })
                #expect(TextEscaping.unescape(String(information.drop { $0 != ":" }.dropFirst())) == "{\"OnlineMeetingUrl\":\"\(Fixtures.target.joinURL)\",\"Provider\":1}")
                // The SIP conference link names no join URL: kept.
                #expect(keptAfter.contains { $0.hasPrefix("X-MICROSOFT-ONLINEMEETINGCONFLINK:") })
                #expect(keptAfter.contains { $0.hasPrefix("BEGIN:VALARM") })
                #expect(keptAfter.contains { $0.hasPrefix("X-CONTOSO-ROOM;") })
            }
        }
        // One PROPFIND (template: the home's calendars) or three (discovery), two REPORTs, one PUT per meeting, no GET.
        let written = found.filter { $0.meeting.id.rawValue != "pasted-block" }.count
        let counts = setup.mailbox.requestCounts
        #expect(counts["PROPFIND"] == (kind == .radicale ? 1 : 3))
        #expect(counts["REPORT"] == 2)
        #expect(counts["PUT"] == written)
        #expect(counts["GET", default: 0] == 0)
        // A second migration finds them already carrying the new block: the planned body equals the current one.
        let again = try await setup.mailbox.futureMeetings(of: Self.user, now: Self.now)
        for meeting in again where meeting.meeting.id.rawValue != "pasted-block" {
            #expect(Fixtures.rewriteBody(meeting.meeting.body, meeting.meeting.bodyFormat) == meeting.meeting.body)
        }
    }

    @Test("a write after a concurrent edit gives .changed and does not overwrite it", arguments: CalDAVServer.Kind.allCases)
    func concurrentEdit(_ kind: CalDAVServer.Kind) async throws {
        let setup = try await Self.setUp(kind)
        defer { setup.close() }
        let found = try await setup.mailbox.futureMeetings(of: Self.user, now: Self.now)
        let meeting = try #require(found.first { $0.meeting.id.rawValue == "plain-future" })
        let edited = String(decoding: try setup.curl.get(setup.url("plain-future")), as: UTF8.self)
            .replacingOccurrences(of: "SUMMARY:Kick-off", with: "SUMMARY:Edited meanwhile")
        #expect((200..<300).contains(try setup.curl.put(setup.url("plain-future"), Data(edited.utf8))))
        await #expect {
            _ = try await setup.mailbox.write(Self.rewrite(meeting))
        } throws: { error in
            guard case MailboxError.changed(let message) = error else { return false }
            return message.contains("plain-future")
        }
        let stored = ContentLines(try setup.curl.get(setup.url("plain-future"))).unfolded.joined(separator: "\n")
        #expect(stored.contains("SUMMARY:Edited meanwhile"))
        #expect(stored.contains(Fixtures.skype.joinURL))
        // Re-read and written again, it goes through.
        let again = try #require(try await setup.mailbox.reread(meeting, of: Self.user, now: Self.now))
        #expect(again.meeting.subject.hasPrefix("Edited meanwhile"))
        _ = try await setup.mailbox.write(Self.rewrite(again))
        let final = ContentLines(try setup.curl.get(setup.url("plain-future"))).unfolded.joined(separator: "\n")
        #expect(!final.contains(Fixtures.skype.joinURL))
        #expect(final.contains("SUMMARY:Edited meanwhile"))
    }

    @Test("a mailbox that did not read a meeting reads it once (GET) before writing it", arguments: CalDAVServer.Kind.allCases)
    func writeWithoutCache(_ kind: CalDAVServer.Kind) async throws {
        let setup = try await Self.setUp(kind)
        defer { setup.close() }
        let found = try await setup.mailbox.futureMeetings(of: Self.user, now: Self.now)
        let meeting = try #require(found.first { $0.meeting.id.rawValue == "weekly-series" })
        let other = try CalDAVMailbox(
            settings: Self.settings(for: setup.server), password: kind == .radicale ? CalDAVServer.password : nil, httpClient: Self.client,
            logger: Logger(label: "test.caldav.other"))
        let written = try await other.write(Self.rewrite(meeting))
        #expect(written.meeting.version == 3)
        #expect(other.requestCounts == ["GET": 1, "PUT": 1])
        let stored = ContentLines(try setup.curl.get(setup.url("weekly-series"))).unfolded
        #expect(stored.filter { $0.hasPrefix("SEQUENCE:") } == ["SEQUENCE:3", "SEQUENCE:4"])
        // The first mailbox's copy is now stale: its write is refused, not applied twice.
        await #expect {
            _ = try await setup.mailbox.write(Self.rewrite(meeting))
        } throws: { error in
            if case MailboxError.changed = error { return true }
            return false
        }
    }

    @Test("a deleted resource gives .deleted", arguments: CalDAVServer.Kind.allCases)
    func deleted(_ kind: CalDAVServer.Kind) async throws {
        let setup = try await Self.setUp(kind)
        defer { setup.close() }
        let found = try await setup.mailbox.futureMeetings(of: Self.user, now: Self.now)
        let meeting = try #require(found.first { $0.meeting.id.rawValue == "html-future" })
        #expect((200..<300).contains(try setup.curl.request("DELETE", setup.url("html-future")).status))
        await #expect {
            _ = try await setup.mailbox.write(Self.rewrite(meeting))
        } throws: { error in
            if case MailboxError.deleted = error { return true }
            return false
        }
        #expect(try await setup.mailbox.reread(meeting, of: Self.user, now: Self.now) == nil)
    }

    // MARK: Adding

    @Test("add() creates a resource and refuses to overwrite an existing UID", arguments: CalDAVServer.Kind.allCases)
    func add(_ kind: CalDAVServer.Kind) async throws {
        let setup = try await Self.setUp(kind, populate: false)
        defer { setup.close() }
        let body = "<p>Planning</p>\n" + InvitationBlock.render(Fixtures.target.joinDetails, format: .html)
        let meeting = CalendarMeeting(
            id: MeetingID("added-1"), tenant: Fixtures.tenant, organizer: Fixtures.user.id, attendees: ["dave@example.com", "Alice@example.com"],
            start: Date(timeIntervalSince1970: 2_100_000_000), end: Date(timeIntervalSince1970: 2_100_003_600), subject: "Planning; Q3, all",
            body: body, bodyFormat: .html, kind: .teams, createdThroughService: true, version: 0)
        let added = try await setup.mailbox.add(meeting, organizer: Self.user)
        #expect(added.location == setup.url("added-1"))
        let stored = ContentLines(try setup.curl.get(setup.url("added-1"))).unfolded
        #expect(stored.contains("UID:added-1"))
        #expect(stored.contains("SUMMARY:Planning\\; Q3\\, all"))
        #expect(stored.contains { $0.hasPrefix("X-ALT-DESC;FMTTYPE=text/html:") && $0.contains("meetup-join") })
        #expect(stored.contains { $0.hasPrefix("ORGANIZER") && $0.hasSuffix(":mailto:alice@example.com") })
        #expect(stored.filter { $0.hasPrefix("ATTENDEE") }.count == 1)
        #expect(stored.contains("SEQUENCE:0"))
        let found = try await setup.mailbox.futureMeetings(of: Self.user, now: Self.now)
        let read = try #require(found.first { $0.meeting.id.rawValue == "added-1" })
        #expect(read.meeting.body == body)
        #expect(read.meeting.bodyFormat == .html)
        #expect(read.meeting.attendees == ["dave@example.com"])

        var other = meeting
        other.subject = "Must not replace"
        await #expect {
            _ = try await setup.mailbox.add(other, organizer: Self.user)
        } throws: { error in
            if case MailboxError.changed = error { return true }
            return false
        }
        #expect(ContentLines(try setup.curl.get(setup.url("added-1"))).unfolded.contains("SUMMARY:Planning\\; Q3\\, all"))
    }

    // MARK: Errors

    @Test("a wrong password gives .denied naming the service account (Radicale)")
    func wrongPassword() async throws {
        let setup = try await Self.setUp(.radicale, populate: false, password: "wrong")
        defer { setup.close() }
        await #expect {
            _ = try await setup.mailbox.futureMeetings(of: Self.user, now: Self.now)
        } throws: { error in
            guard case MailboxError.denied(let message) = error else { return false }
            return message.contains(CalDAVServer.username) && message.contains("credentials")
        }
    }

    @Test("a path template that leads nowhere is .misconfigured, naming the template (Radicale)")
    func wrongPathTemplate() async throws {
        let setup = try await Self.setUp(.radicale, populate: false)
        defer { setup.close() }
        var settings = Self.settings(for: setup.server)
        settings.pathTemplate = "/calendars/{local}/"
        let mailbox = try CalDAVMailbox(settings: settings, password: CalDAVServer.password, httpClient: Self.client, logger: Logger(label: "test"))
        await #expect {
            _ = try await mailbox.test(organizer: Self.user, now: Self.now)
        } throws: { error in
            guard case MailboxError.misconfigured(let message) = error else { return false }
            return message.contains("path template") && message.contains("/calendars/alice/")
        }
    }

    @Test("a server that is down gives .unavailable")
    func serverDown() async throws {
        let port = try CalDAVServer.freePort()
        let client = Self.client
        let mailbox = try CalDAVMailbox(
            settings: MailboxSettings(tenant: Fixtures.tenant, kind: .calDAV, url: "http://127.0.0.1:\(port)/", pathTemplate: "/{user}/"),
            password: nil, httpClient: client, logger: Logger(label: "test"))
        await #expect {
            _ = try await mailbox.futureMeetings(of: Self.user, now: Self.now)
        } throws: { error in
            if case MailboxError.unavailable = error { return true }
            return false
        }
    }
}
