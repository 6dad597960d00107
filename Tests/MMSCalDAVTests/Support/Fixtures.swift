import Foundation
import MMSCore
import MMSICalendar

/// The calendar of the test organiser (issue 17's list), built as iCalendar text with CRLF line
/// endings, long lines folded at 75 octets (never inside a UTF-8 character).
enum Fixtures {
    static let organizer = "alice@example.com"
    static let tenant = TenantID("contoso")
    static let user = User(id: UserID("alice"), tenant: tenant, userPrincipalName: "alice@example.com", sipAddress: "sip:a.example@sip.example.com")

    /// The Skype meeting the organiser's invitations carry, and one pasted from someone else.
    static let skype = JoinDetails(kind: .skypeOnline, joinURL: "https://meet.lync.com/contoso/alice/K7Q2X9LM")
    static let pasted = JoinDetails(kind: .skypeOnline, joinURL: "https://meet.lync.com/fabrikam/bob/ZZ88PASTE")
    static let target = OnlineMeeting(
        kind: .teams, joinURL: "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NEW123%40thread.v2/0?context=%7b%22Tid%22%3a%22t%22%7d",
        tenant: tenant, organizer: UserID("alice"), calendarMeeting: MeetingID("x"))

    /// The UIDs `futureMeetings` must find, and those it must not.
    static let future: Set<String> = ["html-future", "plain-future", "weekly-series", "weekly-plain", "pasted-block", "participants-250", "participants-251", "sip-organizer"]
    static let notFound: Set<String> = ["past-series", "other-organizer", "past-single"]

    /// A long line of every kind of script that folds across multi-byte characters.
    static let international = "Réunion 会议 📅👩🏽‍💻 اجتماع פגישה e\u{301}te\u{301} 日本語のテキスト 🇫🇷🇯🇵 ψ\u{308} — end"

    static func text(_ block: JoinDetails, before: String = "Agenda: budget, staffing; review\nSee you there.", format: BodyFormat = .plainText) -> String {
        before + "\n\n" + InvitationBlock.render(block, format: format) + "\n"
    }

    static func line(_ content: String) -> String { Folding.fold(content) }

    static func description(_ text: String) -> String { line("DESCRIPTION:" + TextEscaping.escape(text)) }

    static func calendar(_ events: String, timezone: Bool = false) -> Data {
        var text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tests//Fixtures//EN\r\nCALSCALE:GREGORIAN\r\n"
        if timezone { text += vtimezone }
        text += events + "END:VCALENDAR\r\n"
        return Data(text.utf8)
    }

    static let vtimezone = """
        BEGIN:VTIMEZONE\r
        TZID:Europe/Paris\r
        BEGIN:DAYLIGHT\r
        TZOFFSETFROM:+0100\r
        TZOFFSETTO:+0200\r
        TZNAME:CEST\r
        DTSTART:19700329T020000\r
        RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
        END:DAYLIGHT\r
        BEGIN:STANDARD\r
        TZOFFSETFROM:+0200\r
        TZOFFSETTO:+0100\r
        TZNAME:CET\r
        DTSTART:19701025T030000\r
        RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
        END:STANDARD\r
        END:VTIMEZONE\r

        """

    static func event(
        uid: String, start: String = "20360303T140000Z", end: String = "20360303T150000Z", organizer: String = "mailto:alice@example.com",
        attendees: [String] = ["bob@example.com", "carol@example.com"], extra: String = "", sequence: Int? = 1, summary: String = "Budget review"
    ) -> String {
        var text = "BEGIN:VEVENT\r\nUID:\(uid)\r\nDTSTAMP:20260101T000000Z\r\n"
        text += start.contains(":") ? start + "\r\n" : "DTSTART:\(start)\r\n"
        text += end.contains(":") ? end + "\r\n" : "DTEND:\(end)\r\n"
        if let sequence { text += "SEQUENCE:\(sequence)\r\n" }
        text += line("SUMMARY:" + TextEscaping.escape(summary))
        text += "ORGANIZER;CN=Alice Example:\(organizer)\r\n"
        for attendee in attendees { text += line("ATTENDEE;CN=\"\(attendee)\";ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:\(attendee)") }
        text += extra
        text += "END:VEVENT\r\n"
        return text
    }

    /// Every resource of the calendar, by UID (also its file name).
    static var resources: [(uid: String, data: Data)] {
        let plainBody = text(skype)
        let htmlBody = "<html><body><p>Agenda: budget &amp; staffing</p>\n" + InvitationBlock.render(skype, format: .html) + "\n<p>Thanks</p></body></html>"
        let attachment = Data("%PDF-1.4 agenda\n\u{1}\u{2}binary".utf8)
        let html = calendar(
            event(
                uid: "html-future", start: "DTSTART;TZID=Europe/Paris:20360303T090000", end: "DTEND;TZID=Europe/Paris:20360303T100000",
                organizer: "mailto:Alice@EXAMPLE.com",
                extra: description(plainBody)
                    + line("X-ALT-DESC;FMTTYPE=text/html:" + TextEscaping.escape(htmlBody))
                    + line("LOCATION:Room 4 / \(skype.joinURL)")
                    + line("X-MICROSOFT-SKYPETEAMSMEETINGURL:\(skype.joinURL)")
                    + line("CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=Join:\(skype.joinURL)")
                    + line("X-MICROSOFT-ONLINEMEETINGINFORMATION:" + TextEscaping.escape("{\"OnlineMeetingUrl\":\"\(skype.joinURL)\",\"Provider\":1}"))
                    + line("X-MICROSOFT-ONLINEMEETINGCONFLINK:conf:sip:alice@example.com;gruu;opaque=app:conf:focus:id:K7Q2X9LM")
                    + line("X-CONTOSO-ROOM;X-FLOOR=\"4;north\";X-WING=B:Boardroom, big table")
                    + "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n"),
            timezone: true)
        let plain = calendar(
            event(
                uid: "plain-future",
                extra: description(international + "\n" + plainBody)
                    + line("ATTACH;FMTTYPE=application/pdf;ENCODING=BASE64;VALUE=BINARY;X-FILENAME=agenda.pdf:" + attachment.base64EncodedString())
                    + line("X-UNKNOWN-THING;X-A=1;X-B=\"x,y\":keep me exactly"),
                sequence: nil, summary: "Kick-off 会议 📅"))
        let weekly = calendar(
            event(
                uid: "weekly-series", start: "DTSTART;TZID=Europe/Paris:20240101T090000", end: "DTEND;TZID=Europe/Paris:20240101T093000",
                extra: "RRULE:FREQ=WEEKLY;UNTIL=20391231T000000Z\r\nEXDATE;TZID=Europe/Paris:20360107T090000\r\n" + description(plainBody), sequence: 2,
                summary: "Weekly sync")
                + event(
                    uid: "weekly-series", start: "DTSTART;TZID=Europe/Paris:20360114T100000", end: "DTEND;TZID=Europe/Paris:20360114T103000",
                    extra: "RECURRENCE-ID;TZID=Europe/Paris:20360114T090000\r\n" + description("Moved one hour.\n" + plainBody), sequence: 3,
                    summary: "Weekly sync (moved)"),
            timezone: true)
        // A series without overrides whose first occurrence is long past: what Xandikos 0.2.8 leaves out of a time-range answer.
        let weeklyPlain = calendar(
            event(uid: "weekly-plain", start: "20240102T150000Z", end: "20240102T153000Z", extra: "RRULE:FREQ=WEEKLY;COUNT=1000\r\n" + description(plainBody)))
        let pastSeries = calendar(
            event(uid: "past-series", start: "20200106T090000Z", end: "20200106T100000Z", extra: "RRULE:FREQ=WEEKLY;COUNT=3\r\n" + description(plainBody)))
        let other = calendar(event(uid: "other-organizer", organizer: "mailto:bob@example.com", attendees: ["alice@example.com"], extra: description(plainBody)))
        let pastSingle = calendar(event(uid: "past-single", start: "20210506T090000Z", end: "20210506T100000Z", extra: description(plainBody)))
        // Organised under the address the directory lists as the user's SIP address.
        let sipOrganizer = calendar(event(uid: "sip-organizer", organizer: "mailto:A.Example@SIP.example.com", extra: description(plainBody)))
        let pastedBlock = calendar(event(uid: "pasted-block", extra: description(text(pasted, before: "Bob's meeting, pasted:"))))
        func participants(_ count: Int) -> Data {
            let attendees = (1..<count).map { "person\($0)@example.com" }
            return calendar(event(uid: "participants-\(count)", attendees: attendees, extra: description(plainBody)))
        }
        return [
            ("html-future", html), ("plain-future", plain), ("weekly-series", weekly), ("weekly-plain", weeklyPlain), ("past-series", pastSeries),
            ("other-organizer", other), ("past-single", pastSingle), ("pasted-block", pastedBlock), ("sip-organizer", sipOrganizer),
            ("participants-250", participants(250)), ("participants-251", participants(251)),
        ]
    }

    /// The migration's body rewrite: the first block replaced by the target's.
    static let rewriteBody: @Sendable (String, BodyFormat) -> String = { body, format in
        guard let block = InvitationBlock.find(in: body, format: format).first else { return body }
        return InvitationBlock.replacing(block, in: body, with: target.joinDetails, format: format)
    }
}

/// A resource's content lines with their raw (folded) bytes, split on the bytes (a continuation
/// line may begin with a space and a combining mark, which Swift would read as one character).
struct ContentLines: Equatable {
    var raw: [String]

    init(_ data: Data) {
        let bytes = [UInt8](data)
        var lines: [String] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0A {
                let next = index + 1
                if next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x09 {
                    index = next
                    continue
                }
                lines.append(String(decoding: bytes[start..<next], as: UTF8.self))
                start = next
            }
            index += 1
        }
        if start < bytes.count { lines.append(String(decoding: bytes[start...], as: UTF8.self)) }
        self.raw = lines
    }

    var unfolded: [String] {
        raw.map { Folding.unfold($0).trimmingCharacters(in: CharacterSet(charactersIn: "\r\n")) }
    }

    static func name(_ line: String) -> String {
        String(line.unicodeScalars.prefix { $0 != ":" && $0 != ";" }).uppercased()
    }
}
