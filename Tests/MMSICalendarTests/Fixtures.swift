import Foundation
@testable import MMSICalendar

/// Shared sample resources.
enum Fixtures {
    /// Joins lines with CRLF (and a final CRLF).
    static func crlf(_ lines: [String]) -> String {
        lines.map { $0 + "\r\n" }.joined()
    }

    /// A long base64 attachment value, folded the way Outlook does it.
    static let attachmentBase64: String = {
        let bytes = (0..<600).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        return Data(bytes).base64EncodedString()
    }()

    /// A meeting invitation with VTIMEZONE, VALARM, an inline ATTACH and an X- property with parameters.
    static var meeting: String {
        let folded = Folding.fold("ATTACH;FMTTYPE=application/octet-stream;ENCODING=BASE64;VALUE=BINARY;X-FILENAME=\"notes;v2.bin\":" + attachmentBase64)
        return crlf([
            "BEGIN:VCALENDAR",
            "PRODID:-//Example Corp//Outlook 16.0 MIMEDIR//EN",
            "VERSION:2.0",
            "METHOD:REQUEST",
            "X-WR-CALNAME;X-EXAMPLE=\"a:b;c\",plain:Team calendar",
            "BEGIN:VTIMEZONE",
            "TZID:Europe/Paris",
            "BEGIN:STANDARD",
            "DTSTART:19701025T030000",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100",
            "TZNAME:CET",
            "END:STANDARD",
            "BEGIN:DAYLIGHT",
            "DTSTART:19700329T020000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200",
            "TZNAME:CEST",
            "END:DAYLIGHT",
            "END:VTIMEZONE",
            "BEGIN:VEVENT",
            "UID:040000008200E00074C5B7101A82E008000000001",
            "DTSTAMP:20260101T120000Z",
            "DTSTART;TZID=Europe/Paris:20260105T093000",
            "DTEND;TZID=Europe/Paris:20260105T103000",
            "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=20",
            "SUMMARY;LANGUAGE=fr-FR:Réunion d'équipe \\; hebdo",
            "ORGANIZER;CN=\"Dupont, Jeanne\":mailto:jeanne.dupont@example.com",
            "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Bob:mailto:bob@example.com",
            "DESCRIPTION:Ordre du jour :\\n1. Point projet\\n2. Divers\\n\\n________________",
            " ________________________________\\nRejoindre la réunion : https://meet.examp",
            " le.com/j/123456789",
            "X-MICROSOFT-CDO-BUSYSTATUS;X-PARAM=1;X-OTHER=\"quoted,value\":BUSY",
        ]) + folded + crlf([
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:Reminder",
            "TRIGGER;RELATED=START:-PT15M",
            "END:VALARM",
            "END:VEVENT",
            "END:VCALENDAR",
        ])
    }
}

/// Whether bytes are well-formed UTF-8 (decoding would not need replacement characters).
func isValidUTF8(_ bytes: some Collection<UInt8>) -> Bool {
    Array(String(decoding: bytes, as: UTF8.self).utf8).elementsEqual(bytes)
}
