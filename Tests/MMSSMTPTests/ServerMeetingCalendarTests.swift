import Foundation
import MMSSMTP
import Testing

/// R5 for a meeting on a calendar server: its invitation is the rewritten resource, as stored,
/// with METHOD:REQUEST, a fresh DTSTAMP and ORGANIZER;SENT-BY, every other line kept.
@Suite("The REQUEST of a calendar server's meeting")
struct ServerMeetingCalendarTests {
    static let resource = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Radicale//NONSGML Radicale Server//EN", "BEGIN:VEVENT", "UID:quarterly-1",
        "DTSTAMP:20261201T000000Z", "DTSTART:20261210T090000Z", "DTEND:20261210T093000Z", "SEQUENCE:4", "SUMMARY:Quarterly review",
        "ORGANIZER;CN=Ann:mailto:ann@contoso.example", "ATTENDEE;RSVP=TRUE:mailto:bob@fabrikam.example",
        "X-CONTOSO-TAG;X-PARAM=\"a:b\":keep me", "DESCRIPTION:Agenda\\, café ☕\\n\\nJoin Microsoft Teams Meeting",
        "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "TRIGGER:-PT15M", "END:VALARM", "END:VEVENT", "END:VCALENDAR",
    ].joined(separator: "\r\n") + "\r\n"

    @Test("R5: METHOD:REQUEST, SENT-BY and a fresh DTSTAMP are set; UID, SEQUENCE and every other line are as stored")
    func request() throws {
        let stamp = Date(timeIntervalSince1970: 1_796_200_000)
        let calendar = try #require(BuiltInMeetingCalendar.request(resource: Self.resource, serviceAddress: "mms@contoso.example", stamp: stamp))
        // Unfolded: a changed line is folded again at 75 octets.
        let lines = String(decoding: calendar.serializedBytes(), as: UTF8.self).replacingOccurrences(of: "\r\n ", with: "")
            .components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let original = Self.resource.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.filter { $0 == "METHOD:REQUEST" }.count == 1, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("ORGANIZER") && $0.contains("SENT-BY=\"mailto:mms@contoso.example\"") && $0.hasSuffix(":mailto:ann@contoso.example") }, "\(lines)")
        #expect(lines.contains("DTSTAMP:20261202T082640Z"), "\(lines)")
        let changed = Set(["METHOD", "ORGANIZER", "DTSTAMP"])
        let kept = lines.filter { line in !changed.contains(where: { line.hasPrefix($0) }) }
        let expected = original.filter { line in !changed.contains(where: { line.hasPrefix($0) }) }
        #expect(kept == expected, "every other line as stored")
        #expect(lines.contains("UID:quarterly-1") && lines.contains("SEQUENCE:4"))
    }

    @Test("Text that is not iCalendar gives nil (the invitation then falls back to the meeting's own fields)")
    func notICalendar() {
        #expect(BuiltInMeetingCalendar.request(resource: "not a calendar", serviceAddress: "mms@contoso.example", stamp: Date()) == nil)
        #expect(BuiltInMeetingCalendar.request(resource: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", serviceAddress: "a@b.example", stamp: Date()) == nil)
    }
}
