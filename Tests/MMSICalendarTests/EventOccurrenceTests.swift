import Foundation
import Testing
@testable import MMSICalendar

@Suite("Event occurrences")
struct EventOccurrenceTests {
    private static func utc(_ text: String) -> Date {
        try! TimeZoneResolver().date(for: DateTimeValue(parsing: text))
    }

    /// A calendar with the given VEVENT bodies (lines between BEGIN:VEVENT and END:VEVENT).
    private static func resource(_ events: [[String]], timeZone: Bool = true) throws -> ICalendarResource {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0"]
        if timeZone {
            let meeting = try ICalendarResource(parsing: Fixtures.meeting)
            let zone = try #require(meeting.allComponents(named: "VTIMEZONE").first)
            var bytes: [UInt8] = []
            zone.serialize(into: &bytes, lineEnding: .crlf)
            lines += String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n").dropLast()
        }
        for event in events { lines += ["BEGIN:VEVENT"] + event + ["END:VEVENT"] }
        lines.append("END:VCALENDAR")
        return try ICalendarResource(parsing: Fixtures.crlf(lines))
    }

    private static func hasOccurrence(_ events: [[String]], after: String, measuring boundary: OccurrenceBoundary = .end) throws -> Bool {
        try resource(events).hasEventOccurrence(after: utc(after), measuring: boundary)
    }

    @Test("weekly expansion follows the wall clock across DST (VTIMEZONE with RRULE)")
    func dstAwareExpansion() throws {
        let resource = try ICalendarResource(parsing: Fixtures.meeting)
        let series = try #require(EventSeries.series(in: resource).first)
        let occurrences = try series.occurrences(maximumCount: 100, timeZones: TimeZoneResolver(resource: resource))
        #expect(occurrences.count == 20)
        // 2026-03-23 is CET (+01:00), 2026-03-30 is CEST (+02:00): 09:30 local both times.
        #expect(occurrences[11].start == Self.utc("20260323T083000Z"))
        #expect(occurrences[12].start == Self.utc("20260330T073000Z"))
        #expect(occurrences[12].end == Self.utc("20260330T083000Z"))
        #expect(occurrences.last?.start == Self.utc("20260518T073000Z"))
    }

    @Test("the same expansion through Foundation's Olson zone when there is no VTIMEZONE")
    func olsonExpansion() throws {
        let resource = try Self.resource([[
            "UID:olson", "DTSTART;TZID=America/New_York:20260302T090000", "DURATION:PT45M", "RRULE:FREQ=WEEKLY;COUNT=3",
        ]], timeZone: false)
        let series = try #require(EventSeries.series(in: resource).first)
        let occurrences = try series.occurrences(maximumCount: 10, timeZones: TimeZoneResolver(resource: resource))
        // US DST starts 2026-03-08: 14:00Z, then 13:00Z.
        #expect(occurrences.map(\.start) == [Self.utc("20260302T140000Z"), Self.utc("20260309T130000Z"), Self.utc("20260316T130000Z")])
        #expect(occurrences.map { $0.end.timeIntervalSince($0.start) } == [2_700, 2_700, 2_700])
    }

    @Test("an unbounded rule with a future occurrence answers yes, quickly", arguments: [
        "FREQ=DAILY", "FREQ=HOURLY;INTERVAL=7", "FREQ=MINUTELY;INTERVAL=13", "FREQ=SECONDLY;INTERVAL=17", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=MONTHLY;BYDAY=-1FR;BYSETPOS=-1", "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,FR",
    ])
    func unboundedFuture(rule: String) throws {
        let started = Date()
        let answer = try Self.hasOccurrence([["UID:1", "DTSTART;TZID=Europe/Paris:19900105T093000", "DTEND;TZID=Europe/Paris:19900105T103000", "RRULE:" + rule]],
                                            after: "20260601T000000Z")
        #expect(answer)
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test("a never-matching unbounded rule stops at the iteration cap and answers yes (conservative)")
    func neverMatching() throws {
        let resource = try Self.resource([["UID:1", "DTSTART:20200101T000000Z", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"]])
        let series = try #require(EventSeries.series(in: resource).first)
        let answer = try series.hasOccurrence(after: Self.utc("20260101T000000Z"), timeZones: TimeZoneResolver(resource: resource),
                                              limits: OccurrenceLimits(maximumIterations: 20_000))
        #expect(answer)
    }

    @Test("bounded rules: COUNT and UNTIL in the past answer no, in the future yes")
    func bounded() throws {
        let start = ["UID:1", "DTSTART;TZID=Europe/Paris:20260105T093000", "DTEND;TZID=Europe/Paris:20260105T103000"]
        // 20 weekly instances: the last is 2026-05-18 09:30-10:30 CEST (07:30-08:30Z).
        #expect(try Self.hasOccurrence([start + ["RRULE:FREQ=WEEKLY;COUNT=20"]], after: "20260518T082959Z"))
        #expect(try !Self.hasOccurrence([start + ["RRULE:FREQ=WEEKLY;COUNT=20"]], after: "20260518T083000Z"))
        #expect(try Self.hasOccurrence([start + ["RRULE:FREQ=WEEKLY;UNTIL=20260518T073000Z"]], after: "20260518T080000Z"))
        #expect(try !Self.hasOccurrence([start + ["RRULE:FREQ=WEEKLY;UNTIL=20260518T072959Z"]], after: "20260518T080000Z"))
        #expect(try !Self.hasOccurrence([start + ["RRULE:FREQ=DAILY;UNTIL=20200101T000000Z"]], after: "20260518T080000Z"))
    }

    @Test("start versus end: an occurrence in progress counts only when measuring ends")
    func boundary() throws {
        let event = [["UID:1", "DTSTART:20260601T090000Z", "DTEND:20260601T110000Z"]]
        #expect(try Self.hasOccurrence(event, after: "20260601T100000Z", measuring: .end))
        #expect(try !Self.hasOccurrence(event, after: "20260601T100000Z", measuring: .start))
        #expect(try !Self.hasOccurrence(event, after: "20260601T110000Z", measuring: .end))
    }

    @Test("EXDATE removes the only future instance; RDATE adds one")
    func exdateAndRdate() throws {
        let base = ["UID:1", "DTSTART;TZID=Europe/Paris:20260105T093000", "DTEND;TZID=Europe/Paris:20260105T103000", "RRULE:FREQ=WEEKLY;COUNT=3"]
        #expect(try Self.hasOccurrence([base], after: "20260115T000000Z"))
        #expect(try !Self.hasOccurrence([base + ["EXDATE;TZID=Europe/Paris:20260119T093000"]], after: "20260115T000000Z"))
        #expect(try Self.hasOccurrence([base + ["EXDATE;TZID=Europe/Paris:20260119T093000", "RDATE:20270101T100000Z"]], after: "20260115T000000Z"))
        // EXDATE given in UTC matches the zoned instance.
        #expect(try !Self.hasOccurrence([base + ["EXDATE:20260119T083000Z"]], after: "20260115T000000Z"))
    }

    @Test("overrides: moved into the future, moved into the past, cancelled")
    func overrides() throws {
        let master = ["UID:s", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=DAILY;COUNT=5"]
        // The last instance (9 Jan) moved to next year.
        let movedLater = ["UID:s", "RECURRENCE-ID:20260109T090000Z", "DTSTART:20270109T090000Z", "DTEND:20270109T100000Z"]
        #expect(try Self.hasOccurrence([master, movedLater], after: "20260601T000000Z"))
        // The last instance (9 Jan) moved earlier: nothing after 8 Jan 12:00.
        let movedEarlier = ["UID:s", "RECURRENCE-ID:20260109T090000Z", "DTSTART:20260108T090000Z"]
        #expect(try !Self.hasOccurrence([master, movedEarlier], after: "20260108T120000Z"))
        #expect(try Self.hasOccurrence([master], after: "20260108T120000Z"))
        // Cancelled override of the last instance.
        let cancelled = ["UID:s", "RECURRENCE-ID:20260109T090000Z", "DTSTART:20260109T090000Z", "STATUS:CANCELLED"]
        #expect(try !Self.hasOccurrence([master, cancelled], after: "20260108T120000Z"))
        // Overrides of another UID do not apply.
        let otherUID = ["UID:other", "RECURRENCE-ID:20260109T090000Z", "DTSTART:20260108T090000Z", "DTEND:20260108T100000Z"]
        #expect(try Self.hasOccurrence([master, otherUID], after: "20260108T120000Z"))

        let resource = try Self.resource([master, movedEarlier])
        let series = try #require(EventSeries.series(in: resource).first)
        #expect(series.overrides.count == 1)
        let occurrences = try series.occurrences(maximumCount: 10, timeZones: TimeZoneResolver(resource: resource))
        #expect(occurrences.count == 5)
        #expect(occurrences.last?.isOverride == true)
        #expect(occurrences.last?.start == Self.utc("20260108T090000Z"))
        #expect(occurrences.last?.end == Self.utc("20260108T100000Z"))
        #expect(occurrences.last?.recurrenceID == Self.utc("20260109T090000Z"))
    }

    @Test("a resource holding only an override (an invitation to one instance)")
    func orphanOverride() throws {
        let override = ["UID:x", "RECURRENCE-ID;TZID=Europe/Paris:20260302T093000", "DTSTART;TZID=Europe/Paris:20260303T093000", "DURATION:PT1H"]
        let resource = try Self.resource([override])
        let series = EventSeries.series(in: resource)
        #expect(series.count == 1)
        #expect(series.first?.master == nil)
        #expect(try Self.hasOccurrence([override], after: "20260303T080000Z"))
        #expect(try !Self.hasOccurrence([override], after: "20260303T093000Z"))
    }

    @Test("all-day events last one day by default; DURATION with days follows the wall clock")
    func allDayAndDuration() throws {
        #expect(try Self.hasOccurrence([["UID:1", "DTSTART;VALUE=DATE:20260601"]], after: "20260601T235959Z"))
        #expect(try !Self.hasOccurrence([["UID:1", "DTSTART;VALUE=DATE:20260601"]], after: "20260602T000000Z"))
        let resource = try Self.resource([["UID:1", "DTSTART;TZID=Europe/Paris:20260328T120000", "DURATION:P1DT1H"]])
        let series = try #require(EventSeries.series(in: resource).first)
        let occurrence = try #require(try series.occurrences(maximumCount: 1, timeZones: TimeZoneResolver(resource: resource)).first)
        // Noon CET on the 28th + 1 day on the wall clock = noon CEST on the 29th (10:00Z), + 1 hour.
        #expect(occurrence.start == Self.utc("20260328T110000Z"))
        #expect(occurrence.end == Self.utc("20260329T110000Z"))
    }

    @Test("DTSTART is always the first instance, even when the rule does not match it")
    func dtstartIncluded() throws {
        let resource = try Self.resource([["UID:1", "DTSTART:20260101T090000Z", "RRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=2"]])
        let series = try #require(EventSeries.series(in: resource).first)
        let starts = try series.occurrences(maximumCount: 10, timeZones: TimeZoneResolver(resource: resource)).map(\.start)
        #expect(starts == [Self.utc("20260101T090000Z"), Self.utc("20260102T090000Z"), Self.utc("20260109T090000Z")])
    }

    @Test("errors: unknown TZID and malformed RRULE are reported")
    func errors() throws {
        #expect { try Self.hasOccurrence([["UID:1", "DTSTART;TZID=Nowhere/Land:20260101T090000"]], after: "20260101T000000Z") } throws: {
            ($0 as? ICalendarError)?.code == .unknownTimeZone
        }
        #expect { try Self.hasOccurrence([["UID:1", "DTSTART:20260101T090000Z", "RRULE:FREQ=SOMETIMES"]], after: "20260101T000000Z") } throws: {
            ($0 as? ICalendarError)?.code == .invalidRecurrenceRule
        }
    }
}
