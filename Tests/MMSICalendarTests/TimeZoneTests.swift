import Foundation
import Testing
@testable import MMSICalendar

@Suite("DATE, DATE-TIME and time zones")
struct TimeZoneTests {
    private func instant(_ text: String) throws -> Date {
        try TimeZoneResolver().date(for: DateTimeValue(parsing: text))
    }

    @Test("DATE, floating, UTC and TZID values")
    func parsing() throws {
        let resource = try ICalendarResource(parsing: """
            BEGIN:VEVENT\r
            DTSTART;VALUE=DATE:20260301\r
            DTEND:20260302T101500\r
            DTSTAMP:20260101T120000Z\r
            RECURRENCE-ID;TZID="Europe/Paris":20260305T093000\r
            EXDATE;TZID=Europe/Paris:20260312T093000,20260319T093000\r
            RDATE;VALUE=PERIOD:20260401T090000Z/20260401T100000Z\r
            END:VEVENT\r

            """)
        let event = try #require(resource.components.first)
        #expect(try event.property(named: "DTSTART")?.dateTimeValue() == DateTimeValue(year: 2026, month: 3, day: 1))
        #expect(try event.property(named: "DTEND")?.dateTimeValue() == DateTimeValue(LocalDateTime(year: 2026, month: 3, day: 2, hour: 10, minute: 15), reference: .floating))
        #expect(try event.property(named: "DTSTAMP")?.dateTimeValue().reference == .utc)
        #expect(try event.property(named: "RECURRENCE-ID")?.dateTimeValue().reference == .zone("Europe/Paris"))
        #expect(try event.property(named: "EXDATE")?.dateTimeValues().map(\.description) == ["20260312T093000", "20260319T093000"])
        #expect(try event.property(named: "RDATE")?.dateTimeValues().map(\.description) == ["20260401T090000Z"])
        #expect(DateTimeValue(year: 2026, month: 3, day: 1).description == "20260301")
    }

    @Test("malformed dates are rejected", arguments: ["2026030", "20261301", "20260230", "20260101T250000", "20260101X100000", "20260101T1000", "abcdefgh", "20260101T100000Q"])
    func malformed(text: String) {
        #expect(throws: ICalendarError.self) { try DateTimeValue(parsing: text) }
    }

    @Test("VALUE=DATE with a DATE-TIME is an error naming the line")
    func valueDateMismatch() throws {
        let resource = try ICalendarResource(parsing: "BEGIN:VEVENT\nUID:1\nDTSTART;VALUE=DATE:20260101T100000\nEND:VEVENT\n")
        do {
            _ = try resource.components.first?.property(named: "DTSTART")?.dateTimeValue()
            Issue.record("no error")
        } catch {
            #expect(error.code == .invalidValue)
            #expect(error.lineNumber == 3)
        }
    }

    @Test("UTC and floating times: floating is read as UTC, DATE as midnight UTC")
    func utcAndFloating() throws {
        #expect(try instant("19700101T000000Z") == Date(timeIntervalSince1970: 0))
        #expect(try instant("20260301T120000") == Date(timeIntervalSince1970: 1_772_366_400))
        #expect(try instant("20260301") == Date(timeIntervalSince1970: 1_772_323_200))
    }

    @Test("the resource's VTIMEZONE (with RRULE) is used: Europe/Paris winter and summer")
    func vtimezone() throws {
        let resource = try ICalendarResource(parsing: Fixtures.meeting)
        let resolver = TimeZoneResolver(resource: resource)
        let winter = try resolver.date(for: DateTimeValue(LocalDateTime(year: 2026, month: 1, day: 5, hour: 9, minute: 30), reference: .zone("Europe/Paris")))
        #expect(winter == (try instant("20260105T083000Z")))
        let summer = try resolver.date(for: DateTimeValue(LocalDateTime(year: 2026, month: 7, day: 6, hour: 9, minute: 30), reference: .zone("Europe/Paris")))
        #expect(summer == (try instant("20260706T073000Z")))
        // The 2026 transitions: last Sunday of March (29th) at 02:00 → 03:00, last Sunday of October (25th) at 03:00 → 02:00.
        #expect(try resolver.utcOffset(at: instant("20260329T005959Z"), timeZoneID: "Europe/Paris") == 3_600)
        #expect(try resolver.utcOffset(at: instant("20260329T010000Z"), timeZoneID: "Europe/Paris") == 7_200)
        #expect(try resolver.utcOffset(at: instant("20261025T005959Z"), timeZoneID: "Europe/Paris") == 7_200)
        #expect(try resolver.utcOffset(at: instant("20261025T010000Z"), timeZoneID: "Europe/Paris") == 3_600)
        // Far future and past, through the rule.
        #expect(try resolver.utcOffset(at: instant("20990715T000000Z"), timeZoneID: "Europe/Paris") == 7_200)
        #expect(try resolver.utcOffset(at: instant("19800115T000000Z"), timeZoneID: "Europe/Paris") == 3_600)
    }

    @Test("a VTIMEZONE wins over the Olson zone of the same name")
    func vtimezoneWins() throws {
        // A deliberately fake zone: always UTC+05:00, under an Olson name.
        let resource = try ICalendarResource(parsing: Fixtures.crlf([
            "BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "TZID:America/New_York", "BEGIN:STANDARD", "DTSTART:19700101T000000",
            "TZOFFSETFROM:+0500", "TZOFFSETTO:+0500", "END:STANDARD", "END:VTIMEZONE", "END:VCALENDAR",
        ]))
        let resolver = TimeZoneResolver(resource: resource)
        let date = try resolver.date(for: DateTimeValue(LocalDateTime(year: 2026, month: 7, day: 1, hour: 12), reference: .zone("America/New_York")))
        #expect(date == (try instant("20260701T070000Z")))
    }

    @Test("Olson names fall back to Foundation, including vendor-prefixed TZIDs")
    func foundationFallback() throws {
        let resolver = TimeZoneResolver()
        let newYork = try resolver.date(for: DateTimeValue(LocalDateTime(year: 2026, month: 1, day: 15, hour: 9), reference: .zone("America/New_York")))
        #expect(newYork == (try instant("20260115T140000Z")))
        let summer = try resolver.date(for: DateTimeValue(LocalDateTime(year: 2026, month: 7, day: 15, hour: 9), reference: .zone("/mozilla.org/20050126_1/America/New_York")))
        #expect(summer == (try instant("20260715T130000Z")))
        #expect {
            try resolver.date(for: DateTimeValue(LocalDateTime(year: 2026, month: 1, day: 1), reference: .zone("Mars/Olympus_Mons")))
        } throws: { ($0 as? ICalendarError)?.code == .unknownTimeZone }
    }

    @Test("DST gap: a nonexistent time uses the offset before the gap; overlap: the first instant", arguments: [false, true])
    func gapAndOverlap(useVTimezone: Bool) throws {
        let resolver = useVTimezone ? TimeZoneResolver(resource: try ICalendarResource(parsing: Fixtures.meeting)) : TimeZoneResolver()
        func paris(_ day: Int, _ month: Int, _ hour: Int, _ minute: Int) throws -> Date {
            try resolver.date(for: DateTimeValue(LocalDateTime(year: 2026, month: month, day: day, hour: hour, minute: minute), reference: .zone("Europe/Paris")))
        }
        // 2026-03-29 02:30 does not exist in Paris; read with +01:00 → 01:30Z (03:30 CEST).
        #expect(try paris(29, 3, 2, 30) == (try instant("20260329T013000Z")))
        // 2026-10-25 02:30 happens twice; the first (CEST, +02:00) is 00:30Z.
        #expect(try paris(25, 10, 2, 30) == (try instant("20261025T003000Z")))
        #expect(try paris(25, 10, 3, 30) == (try instant("20261025T023000Z")))
    }

    @Test("a malformed VTIMEZONE is reported when its TZID is used")
    func malformedVTimezone() throws {
        let resource = try ICalendarResource(parsing: Fixtures.crlf([
            "BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "TZID:Broken", "BEGIN:STANDARD", "DTSTART:19700101T000000",
            "TZOFFSETFROM:+0500", "TZOFFSETTO:5", "END:STANDARD", "END:VTIMEZONE", "END:VCALENDAR",
        ]))
        let resolver = TimeZoneResolver(resource: resource)
        do {
            _ = try resolver.date(for: DateTimeValue(LocalDateTime(year: 2026, month: 1, day: 1), reference: .zone("Broken")))
            Issue.record("no error")
        } catch {
            #expect(error.code == .invalidValue)
            #expect(error.lineNumber == 7)
        }
    }

    @Test("durations")
    func durations() throws {
        #expect(try ICalendarDuration(parsing: "P1W") == ICalendarDuration(days: 7))
        #expect(try ICalendarDuration(parsing: "PT1H30M") == ICalendarDuration(seconds: 5_400))
        #expect(try ICalendarDuration(parsing: "-P1DT12H") == ICalendarDuration(days: -1, seconds: -43_200))
        #expect(try ICalendarDuration(parsing: "P15DT5H0M20S") == ICalendarDuration(days: 15, seconds: 18_020))
        for bad in ["", "P", "PT", "1H", "P1H", "PT1D", "P1.5D", "PXD"] {
            #expect(throws: ICalendarError.self, "\(bad)") { try ICalendarDuration(parsing: bad) }
        }
    }

    @Test("civil calendar arithmetic round-trips over four centuries")
    func civil() {
        for day in stride(from: -150_000, through: 150_000, by: 37) {
            let (year, month, dayOfMonth) = CivilCalendar.civil(fromDayNumber: day)
            #expect(CivilCalendar.dayNumber(year: year, month: month, day: dayOfMonth) == day)
        }
        #expect(LocalDateTime(year: 2026, month: 12, day: 1).weekday == .tuesday)
        #expect(LocalDateTime(year: 2000, month: 2, day: 29).weekday == .tuesday)
        #expect(LocalDateTime(secondsSinceEpochAsUTC: -1).description == "19691231T235959")
    }
}

@Suite("Hostile time zones")
struct HostileTimeZoneTests {
    @Test("a VTIMEZONE whose rules never match or fire every second stays bounded")
    func hostileRules() throws {
        for rule in ["FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=SECONDLY", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"] {
            let resource = try ICalendarResource(parsing: Fixtures.crlf([
                "BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "TZID:Hostile", "BEGIN:STANDARD", "DTSTART:19700101T000000",
                "RRULE:" + rule, "TZOFFSETFROM:+0100", "TZOFFSETTO:+0100", "END:STANDARD", "END:VTIMEZONE", "END:VCALENDAR",
            ]))
            let started = Date()
            let date = try TimeZoneResolver(resource: resource).date(for: DateTimeValue(LocalDateTime(year: 2026, month: 6, day: 1), reference: .zone("Hostile")))
            #expect(date == Date(timeIntervalSince1970: 1_780_272_000 - 3_600), "\(rule)")
            #expect(Date().timeIntervalSince(started) < 20, "\(rule)")
        }
    }
}

@Suite("VTIMEZONE against Foundation")
struct VTimezoneAgainstFoundationTests {
    @Test("the fixture's Europe/Paris VTIMEZONE agrees with Foundation hour by hour, 2020-2030")
    func agreesWithFoundation() throws {
        let resource = try ICalendarResource(parsing: Fixtures.meeting)
        let fromDefinition = TimeZoneResolver(resource: resource)
        let paris = try #require(TimeZone(identifier: "Europe/Paris"))
        let first = 1_577_836_800 // 2020-01-01T00:00:00Z
        var mismatches = 0
        for hour in stride(from: 0, to: 11 * 366 * 24, by: 1) {
            let instant = Date(timeIntervalSince1970: TimeInterval(first + hour * 3_600))
            if try fromDefinition.utcOffset(at: instant, timeZoneID: "Europe/Paris") != paris.secondsFromGMT(for: instant) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        // Wall-clock → instant, every 30 minutes of the transition days, both ways of resolving.
        let fromFoundation = TimeZoneResolver()
        for (month, day) in [(3, 29), (10, 25), (3, 28), (10, 31)] {
            for halfHour in 0..<48 {
                let local = LocalDateTime(year: month == 3 && day == 28 || month == 10 && day == 31 ? 2027 : 2026, month: month, day: day,
                                          hour: halfHour / 2, minute: halfHour % 2 * 30)
                let value = DateTimeValue(local, reference: .zone("Europe/Paris"))
                #expect(try fromDefinition.date(for: value) == fromFoundation.date(for: value), "\(local)")
            }
        }
    }
}
