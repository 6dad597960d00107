import Testing
@testable import MMSICalendar

/// One table row: DTSTART (wall-clock), RRULE, and the expected first occurrences.
struct RuleCase: CustomTestStringConvertible, Sendable {
    var name: String
    var start: String
    var rule: String
    /// Expected occurrences, as `YYYYMMDDTHHMMSS` (or `MMDD` / `YYYYMMDD` shorthands expanded by `expand`).
    var expected: [String]
    /// Whether `expected` is the complete set (the rule ends) or only its beginning.
    var complete: Bool

    var testDescription: String { name }
}

/// Expands `YYYYMMDD` entries (time taken from DTSTART) and `@HHMM` entries (date of the previous entry).
private func expand(_ entries: [String], start: String) -> [String] {
    let startTime = String(start.dropFirst(8))
    var result: [String] = []
    for entry in entries {
        if entry.hasPrefix("@") {
            let date = String(result.last?.prefix(8) ?? start.prefix(8))
            result.append(date + "T" + entry.dropFirst() + "00")
        } else if entry.count == 8 {
            result.append(entry + startTime)
        } else {
            result.append(entry)
        }
    }
    return result
}

private func dates(_ year: Int, _ month: Int, _ days: ClosedRange<Int>) -> [String] {
    days.map { String(format: "%04d%02d%02d", year, month, $0) }
}

@Suite("RRULE: RFC 5545 §3.8.5.3 examples and edge cases")
struct RecurrenceRuleTests {
    // The RFC gives these in America/New_York; the rule is expanded on the wall clock, so local times are expected.
    static let rfcExamples: [RuleCase] = [
        RuleCase(name: "Daily for 10 occurrences", start: "19970902T090000", rule: "FREQ=DAILY;COUNT=10",
                 expected: dates(1997, 9, 2...11), complete: true),
        RuleCase(name: "Daily until December 24, 1997", start: "19970902T090000", rule: "FREQ=DAILY;UNTIL=19971224T000000Z",
                 expected: dates(1997, 9, 2...30) + dates(1997, 10, 1...31) + dates(1997, 11, 1...30) + dates(1997, 12, 1...23), complete: true),
        RuleCase(name: "Every other day - forever", start: "19970902T090000", rule: "FREQ=DAILY;INTERVAL=2",
                 expected: dates(1997, 9, 2...30).enumerated().filter { $0.offset % 2 == 0 }.map(\.element) + ["19971002", "19971004"], complete: false),
        RuleCase(name: "Every 10 days, 5 occurrences", start: "19970902T090000", rule: "FREQ=DAILY;INTERVAL=10;COUNT=5",
                 expected: ["19970902", "19970912", "19970922", "19971002", "19971012"], complete: true),
        RuleCase(name: "Every day in January, for 3 years (YEARLY)", start: "19980101T090000",
                 rule: "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
                 expected: dates(1998, 1, 1...31) + dates(1999, 1, 1...31) + dates(2000, 1, 1...31), complete: true),
        RuleCase(name: "Every day in January, for 3 years (DAILY)", start: "19980101T090000", rule: "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
                 expected: dates(1998, 1, 1...31) + dates(1999, 1, 1...31) + dates(2000, 1, 1...31), complete: true),
        RuleCase(name: "Weekly for 10 occurrences", start: "19970902T090000", rule: "FREQ=WEEKLY;COUNT=10",
                 expected: ["19970902", "19970909", "19970916", "19970923", "19970930", "19971007", "19971014", "19971021", "19971028", "19971104"], complete: true),
        RuleCase(name: "Weekly until December 24, 1997", start: "19970902T090000", rule: "FREQ=WEEKLY;UNTIL=19971224T000000Z",
                 expected: ["19970902", "19970909", "19970916", "19970923", "19970930", "19971007", "19971014", "19971021", "19971028",
                            "19971104", "19971111", "19971118", "19971125", "19971202", "19971209", "19971216", "19971223"], complete: true),
        RuleCase(name: "Every other week - forever", start: "19970902T090000", rule: "FREQ=WEEKLY;INTERVAL=2;WKST=SU",
                 expected: ["19970902", "19970916", "19970930", "19971014", "19971028", "19971111", "19971125", "19971209", "19971223",
                            "19980106", "19980120", "19980203", "19980217"], complete: false),
        RuleCase(name: "Weekly on Tuesday and Thursday for five weeks (UNTIL)", start: "19970902T090000", rule: "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
                 expected: ["19970902", "19970904", "19970909", "19970911", "19970916", "19970918", "19970923", "19970925", "19970930", "19971002"], complete: true),
        RuleCase(name: "Weekly on Tuesday and Thursday for five weeks (COUNT)", start: "19970902T090000", rule: "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH",
                 expected: ["19970902", "19970904", "19970909", "19970911", "19970916", "19970918", "19970923", "19970925", "19970930", "19971002"], complete: true),
        RuleCase(name: "Every other week on Monday, Wednesday, and Friday until December 24, 1997", start: "19970901T090000",
                 rule: "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
                 expected: ["19970901", "19970903", "19970905", "19970915", "19970917", "19970919", "19970929", "19971001", "19971003",
                            "19971013", "19971015", "19971017", "19971027", "19971029", "19971031", "19971110", "19971112", "19971114",
                            "19971124", "19971126", "19971128", "19971208", "19971210", "19971212", "19971222"], complete: true),
        RuleCase(name: "Every other week on Tuesday and Thursday, for 8 occurrences", start: "19970902T090000", rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH",
                 expected: ["19970902", "19970904", "19970916", "19970918", "19970930", "19971002", "19971014", "19971016"], complete: true),
        RuleCase(name: "Monthly on the first Friday for 10 occurrences", start: "19970905T090000", rule: "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
                 expected: ["19970905", "19971003", "19971107", "19971205", "19980102", "19980206", "19980306", "19980403", "19980501", "19980605"], complete: true),
        RuleCase(name: "Monthly on the first Friday until December 24, 1997", start: "19970905T090000", rule: "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
                 expected: ["19970905", "19971003", "19971107", "19971205"], complete: true),
        RuleCase(name: "Every other month on the first and last Sunday of the month for 10 occurrences", start: "19970907T090000",
                 rule: "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
                 expected: ["19970907", "19970928", "19971102", "19971130", "19980104", "19980125", "19980301", "19980329", "19980503", "19980531"], complete: true),
        RuleCase(name: "Monthly on the second-to-last Monday of the month for 6 months", start: "19970922T090000", rule: "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
                 expected: ["19970922", "19971020", "19971117", "19971222", "19980119", "19980216"], complete: true),
        RuleCase(name: "Monthly on the third-to-the-last day of the month, forever", start: "19970928T090000", rule: "FREQ=MONTHLY;BYMONTHDAY=-3",
                 expected: ["19970928", "19971029", "19971128", "19971229", "19980129", "19980226"], complete: false),
        RuleCase(name: "Monthly on the 2nd and 15th of the month for 10 occurrences", start: "19970902T090000", rule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
                 expected: ["19970902", "19970915", "19971002", "19971015", "19971102", "19971115", "19971202", "19971215", "19980102", "19980115"], complete: true),
        RuleCase(name: "Monthly on the first and last day of the month for 10 occurrences", start: "19970930T090000", rule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
                 expected: ["19970930", "19971001", "19971031", "19971101", "19971130", "19971201", "19971231", "19980101", "19980131", "19980201"], complete: true),
        RuleCase(name: "Every 18 months on the 10th thru 15th of the month for 10 occurrences", start: "19970910T090000",
                 rule: "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
                 expected: dates(1997, 9, 10...15) + dates(1999, 3, 10...13), complete: true),
        RuleCase(name: "Every Tuesday, every other month", start: "19970902T090000", rule: "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU",
                 expected: ["19970902", "19970909", "19970916", "19970923", "19970930", "19971104", "19971111", "19971118", "19971125",
                            "19980106", "19980113", "19980120", "19980127", "19980303", "19980310", "19980317", "19980324", "19980331"], complete: false),
        RuleCase(name: "Yearly in June and July for 10 occurrences", start: "19970610T090000", rule: "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
                 expected: ["19970610", "19970710", "19980610", "19980710", "19990610", "19990710", "20000610", "20000710", "20010610", "20010710"], complete: true),
        RuleCase(name: "Every other year on January, February, and March for 10 occurrences", start: "19970310T090000", rule: "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3",
                 expected: ["19970310", "19990110", "19990210", "19990310", "20010110", "20010210", "20010310", "20030110", "20030210", "20030310"], complete: true),
        RuleCase(name: "Every third year on the 1st, 100th, and 200th day for 10 occurrences", start: "19970101T090000", rule: "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200",
                 expected: ["19970101", "19970410", "19970719", "20000101", "20000409", "20000718", "20030101", "20030410", "20030719", "20060101"], complete: true),
        RuleCase(name: "Every 20th Monday of the year, forever", start: "19970519T090000", rule: "FREQ=YEARLY;BYDAY=20MO",
                 expected: ["19970519", "19980518", "19990517"], complete: false),
        RuleCase(name: "Monday of week number 20, forever", start: "19970512T090000", rule: "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
                 expected: ["19970512", "19980511", "19990517"], complete: false),
        RuleCase(name: "Every Thursday in March, forever", start: "19970313T090000", rule: "FREQ=YEARLY;BYMONTH=3;BYDAY=TH",
                 expected: ["19970313", "19970320", "19970327", "19980305", "19980312", "19980319", "19980326", "19990304", "19990311", "19990318", "19990325"], complete: false),
        RuleCase(name: "Every Thursday, but only during June, July, and August, forever", start: "19970605T090000", rule: "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8",
                 expected: ["19970605", "19970612", "19970619", "19970626", "19970703", "19970710", "19970717", "19970724", "19970731",
                            "19970807", "19970814", "19970821", "19970828", "19980604", "19980611", "19980618", "19980625", "19980702",
                            "19980709", "19980716", "19980723", "19980730", "19980806", "19980813", "19980820", "19980827",
                            "19990603", "19990610", "19990617", "19990624", "19990701", "19990708", "19990715", "19990722", "19990729",
                            "19990805", "19990812", "19990819", "19990826"], complete: false),
        RuleCase(name: "Every Friday the 13th, forever (DTSTART itself excluded by EXDATE in the RFC)", start: "19970902T090000", rule: "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
                 expected: ["19980213", "19980313", "19981113", "19990813", "20001013"], complete: false),
        RuleCase(name: "The first Saturday that follows the first Sunday of the month, forever", start: "19970913T090000", rule: "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
                 expected: ["19970913", "19971011", "19971108", "19971213", "19980110", "19980207", "19980307", "19980411", "19980509", "19980613"], complete: false),
        RuleCase(name: "Every 4 years, the first Tuesday after a Monday in November (U.S. Presidential Election day)", start: "19961105T090000",
                 rule: "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
                 expected: ["19961105", "20001107", "20041102"], complete: false),
        RuleCase(name: "The third instance of a Tuesday, Wednesday, or Thursday, for the next 3 months", start: "19970904T090000",
                 rule: "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", expected: ["19970904", "19971007", "19971106"], complete: true),
        RuleCase(name: "The second-to-last weekday of the month", start: "19970929T090000", rule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
                 expected: ["19970929", "19971030", "19971127", "19971230", "19980129", "19980226", "19980330"], complete: false),
        // The RFC lists 09:00, 12:00, 15:00: its UNTIL is compared with the wall clock here, as in the RFC's own listing.
        RuleCase(name: "Every 3 hours from 9:00 AM to 5:00 PM on a specific day", start: "19970902T090000", rule: "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z",
                 expected: ["19970902T090000", "@1200", "@1500"], complete: true),
        RuleCase(name: "Every 15 minutes for 6 occurrences", start: "19970902T090000", rule: "FREQ=MINUTELY;INTERVAL=15;COUNT=6",
                 expected: ["19970902T090000", "@0915", "@0930", "@0945", "@1000", "@1015"], complete: true),
        RuleCase(name: "Every hour and a half for 4 occurrences", start: "19970902T090000", rule: "FREQ=MINUTELY;INTERVAL=90;COUNT=4",
                 expected: ["19970902T090000", "@1030", "@1200", "@1330"], complete: true),
        RuleCase(name: "Every 20 minutes from 9:00 AM to 4:40 PM every day (DAILY)", start: "19970902T090000",
                 rule: "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
                 expected: twentyMinuteSlots("19970902") + twentyMinuteSlots("19970903"), complete: false),
        RuleCase(name: "Every 20 minutes from 9:00 AM to 4:40 PM every day (MINUTELY)", start: "19970902T090000",
                 rule: "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16",
                 expected: twentyMinuteSlots("19970902") + twentyMinuteSlots("19970903"), complete: false),
        RuleCase(name: "WKST=MO changes the result of a weekly INTERVAL=2 rule", start: "19970805T090000", rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
                 expected: ["19970805", "19970810", "19970819", "19970824"], complete: true),
        RuleCase(name: "WKST=SU changes the result of a weekly INTERVAL=2 rule", start: "19970805T090000", rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
                 expected: ["19970805", "19970817", "19970819", "19970831"], complete: true),
        RuleCase(name: "An invalid date (February 30) is skipped", start: "20070115T090000", rule: "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5",
                 expected: ["20070115", "20070130", "20070215", "20070315", "20070330"], complete: true),
    ]

    static let edgeCases: [RuleCase] = [
        RuleCase(name: "MONTHLY on the 31st skips shorter months", start: "20260131T100000", rule: "FREQ=MONTHLY;COUNT=4",
                 expected: ["20260131", "20260331", "20260531", "20260731"], complete: true),
        RuleCase(name: "YEARLY on February 29 only in leap years", start: "20240229T100000", rule: "FREQ=YEARLY;COUNT=3",
                 expected: ["20240229", "20280229", "20320229"], complete: true),
        RuleCase(name: "Last Friday of each month (-1FR)", start: "20260130T120000", rule: "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4",
                 expected: ["20260130", "20260227", "20260327", "20260424"], complete: true),
        RuleCase(name: "Last weekday of the month via BYSETPOS=-1", start: "20260130T080000", rule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
                 expected: ["20260130", "20260227", "20260331"], complete: true),
        RuleCase(name: "YEARLY with ordinal BYDAY inside BYMONTH (Thanksgiving)", start: "20261126T000000", rule: "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;COUNT=3",
                 expected: ["20261126", "20271125", "20281123"], complete: true),
        RuleCase(name: "UNTIL as a DATE is inclusive", start: "20260101", rule: "FREQ=DAILY;UNTIL=20260103",
                 expected: ["20260101T000000", "20260102T000000", "20260103T000000"], complete: true),
        RuleCase(name: "DTSTART not matching the rule is not produced by the rule", start: "20260101T090000", rule: "FREQ=WEEKLY;BYDAY=FR;COUNT=2",
                 expected: ["20260102", "20260109"], complete: true),
        RuleCase(name: "BYSECOND with SECONDLY", start: "20260101T000000", rule: "FREQ=SECONDLY;INTERVAL=15;BYSECOND=0,30;COUNT=4",
                 expected: ["20260101T000000", "20260101T000030", "20260101T000100", "20260101T000130"], complete: true),
        RuleCase(name: "Negative BYYEARDAY (last day of the year)", start: "20261231T100000", rule: "FREQ=YEARLY;BYYEARDAY=-1;COUNT=2",
                 expected: ["20261231", "20271231"], complete: true),
        // dateutil gives 20230404 here: it cuts the first week at DTSTART before BYSETPOS (dateutil/dateutil#1398).
        RuleCase(name: "WEEKLY BYSETPOS counts within the whole first week, then drops instances before DTSTART", start: "20230402T060000",
                 rule: "FREQ=WEEKLY;BYDAY=TU,TH,WE,MO;BYSETPOS=2;WKST=TH;COUNT=2", expected: ["20230403", "20230410"], complete: true),
        RuleCase(name: "A rule that never matches ends when its budget runs out", start: "20260101T000000", rule: "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",
                 expected: [], complete: true),
    ]

    private static func twentyMinuteSlots(_ date: String) -> [String] {
        (9...16).flatMap { hour in [0, 20, 40].map { date + String(format: "T%02d%02d00", hour, $0) } }
    }

    private func run(_ testCase: RuleCase) throws {
        let rule = try RecurrenceRule(parsing: testCase.rule)
        let start = try DateTimeValue(parsing: testCase.start).local
        let expected = expand(testCase.expected, start: testCase.start.count == 8 ? testCase.start + "T000000" : testCase.start)
        let limit = testCase.complete ? expected.count + 5 : expected.count
        var iterator = rule.occurrences(startingAt: start, maximumIterations: 20_000).makeIterator()
        var actual: [String] = []
        while actual.count < limit, let next = iterator.next() { actual.append(next.description) }
        #expect(actual == expected, "\(testCase.name)")
    }

    @Test("RFC 5545 §3.8.5.3 examples", arguments: rfcExamples)
    func rfcExample(_ testCase: RuleCase) throws {
        try run(testCase)
    }

    @Test("edge cases", arguments: edgeCases)
    func edgeCase(_ testCase: RuleCase) throws {
        try run(testCase)
    }

    @Test("a never-matching rule reports that its iteration budget ran out")
    func budget() throws {
        let rule = try RecurrenceRule(parsing: "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31")
        var iterator = rule.occurrences(startingAt: LocalDateTime(year: 2026, month: 1, day: 1), maximumIterations: 10_000).makeIterator()
        #expect(iterator.next() == nil)
        #expect(iterator.reachedIterationLimit)
        let bounded = try RecurrenceRule(parsing: "FREQ=DAILY;COUNT=2")
        var boundedIterator = bounded.occurrences(startingAt: LocalDateTime(year: 2026, month: 1, day: 1)).makeIterator()
        while boundedIterator.next() != nil {}
        #expect(!boundedIterator.reachedIterationLimit)
    }

    @Test("a huge candidate set is refused by the budget instead of exhausting memory")
    func hugeCandidateSet() throws {
        let rule = try RecurrenceRule(parsing: "FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59")
        var iterator = rule.occurrences(startingAt: LocalDateTime(year: 2026, month: 1, day: 1), maximumIterations: 50_000).makeIterator()
        #expect(iterator.next() == nil)
        #expect(iterator.reachedIterationLimit)
    }

    @Test("parsing: case-insensitive parts, X- parts ignored, round trip through description")
    func parsing() throws {
        let rule = try RecurrenceRule(parsing: "freq=monthly;interval=2;byday=-1fr,2MO;X-NAME=1;wkst=su;bysetpos=1,-1;")
        #expect(rule.frequency == .monthly)
        #expect(rule.interval == 2)
        #expect(rule.byDay == [.init(ordinal: -1, .friday), .init(ordinal: 2, .monday)])
        #expect(rule.weekStart == .sunday)
        #expect(rule.description == "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR,2MO;BYSETPOS=1,-1;WKST=SU")
        #expect(try RecurrenceRule(parsing: rule.description) == rule)
        let until = try RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=20261231T235959Z")
        #expect(until.until == DateTimeValue(LocalDateTime(year: 2026, month: 12, day: 31, hour: 23, minute: 59, second: 59), reference: .utc))
    }

    @Test("malformed rules are rejected with a clear error", arguments: [
        "", "INTERVAL=2", "FREQ=FORTNIGHTLY", "FREQ=DAILY;INTERVAL=0", "FREQ=DAILY;COUNT=-1", "FREQ=DAILY;BYMONTH=13",
        "FREQ=DAILY;BYMONTHDAY=0", "FREQ=DAILY;BYDAY=XX", "FREQ=DAILY;BYDAY=0MO", "FREQ=DAILY;BYDAY=54MO", "FREQ=DAILY;UNTIL=tomorrow",
        "FREQ=DAILY;FREQ=WEEKLY", "FREQ=DAILY;BYHOUR=24", "FREQ=DAILY;RSCALE=GREGORIAN", "FREQ=DAILY;COUNT", "FREQ=DAILY;BYSETPOS=0",
    ])
    func malformed(text: String) {
        #expect {
            try RecurrenceRule(parsing: text)
        } throws: { error in
            (error as? ICalendarError)?.code == .invalidRecurrenceRule
        }
    }
}
