/// A recurrence rule (RFC 5545 §3.3.10), the value of an `RRULE` property.
///
/// Supported parts: `FREQ` (all seven), `INTERVAL`, `COUNT`, `UNTIL`,
/// `BYSECOND`, `BYMINUTE`, `BYHOUR`, `BYDAY` (with ordinals for MONTHLY and
/// YEARLY), `BYMONTHDAY`, `BYYEARDAY`, `BYWEEKNO`, `BYMONTH`, `BYSETPOS`,
/// `WKST`. `X-` parts are ignored; RFC 7529 `RSCALE`/`SKIP` are rejected.
public struct RecurrenceRule: Hashable, Sendable, CustomStringConvertible {
    /// The `FREQ` part.
    public enum Frequency: String, CaseIterable, Hashable, Sendable {
        case secondly = "SECONDLY", minutely = "MINUTELY", hourly = "HOURLY", daily = "DAILY"
        case weekly = "WEEKLY", monthly = "MONTHLY", yearly = "YEARLY"
    }

    /// One `BYDAY` item: a weekday with an optional ordinal (`MO`, `1FR`, `-1SU`).
    public struct WeekdayNumber: Hashable, Sendable, CustomStringConvertible {
        /// The ordinal (1…53 or -53…-1), or `nil` for every such weekday.
        public var ordinal: Int?
        /// The weekday.
        public var weekday: Weekday

        /// Creates a `BYDAY` item.
        /// - Parameters:
        ///   - ordinal: The ordinal, or `nil`.
        ///   - weekday: The weekday.
        public init(ordinal: Int? = nil, _ weekday: Weekday) {
            self.ordinal = ordinal
            self.weekday = weekday
        }

        /// The item as written, for example `-1FR`.
        public var description: String {
            (ordinal.map(String.init) ?? "") + weekday.code
        }
    }

    /// `FREQ`.
    public var frequency: Frequency
    /// `INTERVAL`, at least 1.
    public var interval: Int = 1
    /// `COUNT`, if any.
    public var count: Int?
    /// `UNTIL` (inclusive), if any.
    public var until: DateTimeValue?
    /// `BYSECOND` (0…60).
    public var bySecond: [Int] = []
    /// `BYMINUTE` (0…59).
    public var byMinute: [Int] = []
    /// `BYHOUR` (0…23).
    public var byHour: [Int] = []
    /// `BYDAY`.
    public var byDay: [WeekdayNumber] = []
    /// `BYMONTHDAY` (1…31 or -31…-1).
    public var byMonthDay: [Int] = []
    /// `BYYEARDAY` (1…366 or -366…-1).
    public var byYearDay: [Int] = []
    /// `BYWEEKNO` (1…53 or -53…-1), for YEARLY rules.
    public var byWeekNumber: [Int] = []
    /// `BYMONTH` (1…12).
    public var byMonth: [Int] = []
    /// `BYSETPOS` (1…366 or -366…-1).
    public var bySetPosition: [Int] = []
    /// `WKST`, Monday by default.
    public var weekStart: Weekday = .monday

    /// Creates a rule with only a frequency; set the other parts as needed.
    /// - Parameter frequency: The `FREQ` part.
    public init(frequency: Frequency) {
        self.frequency = frequency
    }

    /// Parses an `RRULE` value such as `FREQ=MONTHLY;BYDAY=-1FR;COUNT=5`.
    ///
    /// Part names and values are case-insensitive. Both `COUNT` and `UNTIL`
    /// are accepted (RFC 5545 forbids it); the rule then stops at whichever comes first.
    /// - Parameter text: The value.
    /// - Throws: ``ICalendarError`` with code `invalidRecurrenceRule`.
    public init(parsing text: String) throws(ICalendarError) {
        func invalid(_ reason: String) -> ICalendarError {
            ICalendarError(code: .invalidRecurrenceRule, message: "RRULE '\(text)': \(reason)")
        }
        func integers(_ value: String, _ key: String, _ range: ClosedRange<Int>, allowNegative: Bool) throws(ICalendarError) -> [Int] {
            var result: [Int] = []
            for item in value.split(separator: ",") {
                guard let number = Int(String(item).trimmingSpaces()) else { throw invalid("\(key) has a non-numeric value '\(item)'") }
                let magnitude = allowNegative ? abs(number) : number
                guard range.contains(magnitude), !(allowNegative && number == 0) else { throw invalid("\(key) value \(number) is out of range") }
                result.append(number)
            }
            guard !result.isEmpty else { throw invalid("\(key) is empty") }
            return result
        }

        var frequency: Frequency?
        var rule = RecurrenceRule(frequency: .daily)
        var seen: Set<String> = []
        for part in text.split(separator: ";", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 2 else { throw invalid("part '\(part)' has no '='") }
            let key = String(pieces[0]).trimmingSpaces().asciiUppercased
            let value = String(pieces[1]).trimmingSpaces()
            guard seen.insert(key).inserted else { throw invalid("\(key) appears twice") }
            switch key {
            case "FREQ":
                guard let parsed = Frequency(rawValue: value.asciiUppercased) else { throw invalid("unknown FREQ '\(value)'") }
                frequency = parsed
            case "INTERVAL":
                guard let number = Int(value), number >= 1 else { throw invalid("INTERVAL must be a positive integer") }
                rule.interval = number
            case "COUNT":
                guard let number = Int(value), number >= 1 else { throw invalid("COUNT must be a positive integer") }
                rule.count = number
            case "UNTIL":
                do { rule.until = try DateTimeValue(parsing: value) } catch { throw invalid("UNTIL '\(value)' is not a DATE or DATE-TIME") }
            case "BYSECOND": rule.bySecond = try integers(value, key, 0...60, allowNegative: false)
            case "BYMINUTE": rule.byMinute = try integers(value, key, 0...59, allowNegative: false)
            case "BYHOUR": rule.byHour = try integers(value, key, 0...23, allowNegative: false)
            case "BYMONTHDAY": rule.byMonthDay = try integers(value, key, 1...31, allowNegative: true)
            case "BYYEARDAY": rule.byYearDay = try integers(value, key, 1...366, allowNegative: true)
            case "BYWEEKNO": rule.byWeekNumber = try integers(value, key, 1...53, allowNegative: true)
            case "BYMONTH": rule.byMonth = try integers(value, key, 1...12, allowNegative: false)
            case "BYSETPOS": rule.bySetPosition = try integers(value, key, 1...366, allowNegative: true)
            case "WKST":
                guard let weekday = Weekday(code: value) else { throw invalid("unknown WKST '\(value)'") }
                rule.weekStart = weekday
            case "BYDAY":
                for item in value.split(separator: ",") {
                    let itemText = String(item).trimmingSpaces()
                    guard itemText.count >= 2, let weekday = Weekday(code: String(itemText.suffix(2))) else {
                        throw invalid("BYDAY item '\(itemText)' is not a weekday")
                    }
                    let ordinalText = itemText.dropLast(2)
                    var ordinal: Int?
                    if !ordinalText.isEmpty {
                        guard let number = Int(ordinalText), number != 0, abs(number) <= 53 else {
                            throw invalid("BYDAY item '\(itemText)' has an invalid ordinal")
                        }
                        ordinal = number
                    }
                    rule.byDay.append(WeekdayNumber(ordinal: ordinal, weekday))
                }
                guard !rule.byDay.isEmpty else { throw invalid("BYDAY is empty") }
            default:
                guard key.hasPrefix("X-") else { throw invalid("unsupported part \(key)") }
            }
        }
        guard let frequency else { throw invalid("FREQ is missing") }
        rule.frequency = frequency
        self = rule
    }

    /// The rule as an `RRULE` value, parts in a canonical order.
    public var description: String {
        var parts = ["FREQ=\(frequency.rawValue)"]
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        if let count { parts.append("COUNT=\(count)") }
        if let until { parts.append("UNTIL=\(until)") }
        func list(_ key: String, _ values: [Int]) {
            if !values.isEmpty { parts.append(key + "=" + values.map(String.init).joined(separator: ",")) }
        }
        list("BYSECOND", bySecond)
        list("BYMINUTE", byMinute)
        list("BYHOUR", byHour)
        if !byDay.isEmpty { parts.append("BYDAY=" + byDay.map(\.description).joined(separator: ",")) }
        list("BYMONTHDAY", byMonthDay)
        list("BYYEARDAY", byYearDay)
        list("BYWEEKNO", byWeekNumber)
        list("BYMONTH", byMonth)
        list("BYSETPOS", bySetPosition)
        if weekStart != .monday { parts.append("WKST=\(weekStart.code)") }
        return parts.joined(separator: ";")
    }

    /// The rule's occurrences from `start` (the event's `DTSTART` wall-clock time), lazily and in order.
    ///
    /// Like python-dateutil, and as RFC 5545 leaves undefined, `start` itself is
    /// only produced when it matches the rule. `UNTIL` is compared with the
    /// wall-clock fields of each occurrence, which is exact when `start` is UTC
    /// or floating; for zoned events use ``EventSeries``, which converts to UTC first.
    /// - Parameters:
    ///   - start: The first instant of the recurrence set, as wall-clock time.
    ///   - maximumIterations: The most periods plus candidates examined before the sequence stops
    ///     (its iterator then reports ``RecurrenceIterator/reachedIterationLimit``).
    /// - Returns: A lazy sequence.
    public func occurrences(startingAt start: LocalDateTime, maximumIterations: Int = 1_000_000) -> RecurrenceSequence {
        RecurrenceSequence(rule: self, start: start, maximumIterations: maximumIterations)
    }
}

/// A lazy sequence of the occurrences of a ``RecurrenceRule``.
public struct RecurrenceSequence: Sequence, Sendable {
    let rule: RecurrenceRule
    let start: LocalDateTime
    let maximumIterations: Int

    /// Makes an iterator that compares `UNTIL` with wall-clock fields.
    public func makeIterator() -> RecurrenceIterator {
        let until = rule.until
        return RecurrenceIterator(rule: rule, start: start, maximumIterations: maximumIterations) { candidate in
            guard let until else { return false }
            return until.isDate
                ? (candidate.year, candidate.month, candidate.day) > (until.local.year, until.local.month, until.local.day)
                : candidate > until.local
        }
    }
}
