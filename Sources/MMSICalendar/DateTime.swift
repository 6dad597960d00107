/// A day of the week; raw values count from Monday = 0 (as RFC 5545's default WKST).
public enum Weekday: Int, CaseIterable, Hashable, Sendable {
    case monday = 0, tuesday, wednesday, thursday, friday, saturday, sunday

    /// Parses a two-letter RFC 5545 weekday code (`MO` … `SU`, case-insensitive).
    /// - Parameter code: The code.
    public init?(code: String) {
        switch code.asciiUppercased {
        case "MO": self = .monday
        case "TU": self = .tuesday
        case "WE": self = .wednesday
        case "TH": self = .thursday
        case "FR": self = .friday
        case "SA": self = .saturday
        case "SU": self = .sunday
        default: return nil
        }
    }

    /// The two-letter RFC 5545 code, for example `MO`.
    public var code: String {
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][rawValue]
    }
}

/// A wall-clock date and time in the proleptic Gregorian calendar, with no time zone.
///
/// Arithmetic on it is plain calendar arithmetic (every day has 86 400
/// seconds); time zones are applied by ``TimeZoneResolver``.
public struct LocalDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The year, for example 1997.
    public var year: Int
    /// The month, 1…12.
    public var month: Int
    /// The day of the month, 1…31.
    public var day: Int
    /// The hour, 0…23.
    public var hour: Int
    /// The minute, 0…59.
    public var minute: Int
    /// The second, 0…60 (60 only for a leap second).
    public var second: Int

    /// Creates a wall-clock time; fields are not validated (see ``DateTimeValue/init(parsing:timeZoneID:)``).
    /// - Parameters:
    ///   - year: The year.
    ///   - month: The month, 1…12.
    ///   - day: The day of the month.
    ///   - hour: The hour, 0…23.
    ///   - minute: The minute.
    ///   - second: The second.
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The day of the week.
    public var weekday: Weekday {
        Weekday(rawValue: CivilCalendar.weekdayIndex(ofDayNumber: dayNumber))!
    }

    /// The same instant written as UTC would be this many seconds after 1970-01-01T00:00:00Z.
    public var secondsSinceEpochAsUTC: Int {
        dayNumber * 86_400 + hour * 3_600 + minute * 60 + second
    }

    /// Creates the wall-clock time that is `seconds` after 1970-01-01T00:00:00.
    /// - Parameter seconds: Seconds since the epoch, reading the result as UTC.
    public init(secondsSinceEpochAsUTC seconds: Int) {
        let days = CivilCalendar.floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilCalendar.civil(fromDayNumber: days)
        self.init(year: year, month: month, day: day,
                  hour: secondOfDay / 3_600, minute: (secondOfDay % 3_600) / 60, second: secondOfDay % 60)
    }

    /// Days since 1970-01-01.
    var dayNumber: Int {
        CivilCalendar.dayNumber(year: year, month: month, day: day)
    }

    /// The same wall-clock time `seconds` later (calendar arithmetic, no time zone).
    func adding(seconds: Int) -> LocalDateTime {
        LocalDateTime(secondsSinceEpochAsUTC: secondsSinceEpochAsUTC + seconds)
    }

    /// `YYYYMMDDTHHMMSS`.
    public var description: String {
        DateTimeValue.dateString(self) + "T" + DateTimeValue.twoDigits(hour) + DateTimeValue.twoDigits(minute) + DateTimeValue.twoDigits(second)
    }

    /// Chronological order of the wall-clock fields.
    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
            < (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
    }
}

/// How a DATE-TIME relates to UTC (RFC 5545 §3.3.5).
public enum TimeReference: Hashable, Sendable {
    /// Written with a `Z` suffix.
    case utc
    /// No `Z` and no `TZID`: the same wall-clock time everywhere. This module
    /// interprets floating times as UTC when it needs an instant.
    case floating
    /// Local time in the zone named by a `TZID` parameter.
    case zone(String)
}

/// A DATE or DATE-TIME value (RFC 5545 §3.3.4, §3.3.5).
public struct DateTimeValue: Hashable, Sendable, CustomStringConvertible {
    /// The wall-clock date and time; midnight for a DATE.
    public var local: LocalDateTime
    /// Whether this is a DATE (no time of day), as for all-day events.
    public var isDate: Bool
    /// How the time relates to UTC; always ``TimeReference/floating`` for a DATE.
    public var reference: TimeReference

    /// Creates a DATE-TIME value.
    /// - Parameters:
    ///   - local: The wall-clock date and time.
    ///   - reference: UTC, floating, or a zone.
    public init(_ local: LocalDateTime, reference: TimeReference) {
        self.local = local
        self.isDate = false
        self.reference = reference
    }

    /// Creates a DATE value.
    /// - Parameters:
    ///   - year: The year.
    ///   - month: The month, 1…12.
    ///   - day: The day of the month.
    public init(year: Int, month: Int, day: Int) {
        self.local = LocalDateTime(year: year, month: month, day: day)
        self.isDate = true
        self.reference = .floating
    }

    /// Parses `YYYYMMDD` (DATE), `YYYYMMDDTHHMMSS` (floating or zoned DATE-TIME) or `YYYYMMDDTHHMMSSZ` (UTC).
    /// - Parameters:
    ///   - text: The value text.
    ///   - timeZoneID: The `TZID` parameter, if any; ignored for DATE and UTC values.
    /// - Throws: ``ICalendarError`` with code `invalidValue` when the text is not a valid date or date-time.
    public init(parsing text: String, timeZoneID: String? = nil) throws(ICalendarError) {
        let bytes = Array(text.trimmingSpaces().utf8)
        func invalid() -> ICalendarError {
            ICalendarError(code: .invalidValue, message: "'\(text)' is not a valid DATE or DATE-TIME")
        }
        func number(_ range: Range<Int>) throws(ICalendarError) -> Int {
            var result = 0
            for index in range {
                let digit = bytes[index]
                guard (0x30...0x39).contains(digit) else { throw invalid() }
                result = result * 10 + Int(digit - 0x30)
            }
            return result
        }
        guard bytes.count == 8 || bytes.count == 15 || bytes.count == 16 else { throw invalid() }
        let year = try number(0..<4), month = try number(4..<6), day = try number(6..<8)
        guard (1...12).contains(month), day >= 1, day <= CivilCalendar.daysInMonth(year: year, month: month) else { throw invalid() }
        if bytes.count == 8 {
            self.init(year: year, month: month, day: day)
            return
        }
        guard bytes[8] == UInt8(ascii: "T") || bytes[8] == UInt8(ascii: "t") else { throw invalid() }
        let hour = try number(9..<11), minute = try number(11..<13), second = try number(13..<15)
        guard hour < 24, minute < 60, second <= 60 else { throw invalid() }
        let local = LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        if bytes.count == 16 {
            guard bytes[15] == UInt8(ascii: "Z") || bytes[15] == UInt8(ascii: "z") else { throw invalid() }
            self.init(local, reference: .utc)
        } else if let timeZoneID, !timeZoneID.isEmpty {
            self.init(local, reference: .zone(timeZoneID))
        } else {
            self.init(local, reference: .floating)
        }
    }

    /// The value as written in iCalendar (`19970714`, `19970714T133000`, `19970714T173000Z`);
    /// a zone's name goes into a `TZID` parameter, not here.
    public var description: String {
        if isDate { return Self.dateString(local) }
        return local.description + (reference == .utc ? "Z" : "")
    }

    static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    static func dateString(_ local: LocalDateTime) -> String {
        let year = String(local.year)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + twoDigits(local.month) + twoDigits(local.day)
    }
}

/// A DURATION value (RFC 5545 §3.3.6): a nominal part in days (weeks count as
/// 7 days, applied to the wall clock) and an exact part in seconds.
public struct ICalendarDuration: Hashable, Sendable {
    /// Nominal days (including weeks × 7), negative for a negative duration.
    public var days: Int
    /// Exact seconds (hours, minutes, seconds), negative for a negative duration.
    public var seconds: Int

    /// Creates a duration.
    /// - Parameters:
    ///   - days: Nominal days.
    ///   - seconds: Exact seconds.
    public init(days: Int = 0, seconds: Int = 0) {
        self.days = days
        self.seconds = seconds
    }

    /// Parses a duration such as `P1W`, `PT1H30M`, `-P1DT12H`.
    /// - Parameter text: The value text.
    /// - Throws: ``ICalendarError`` with code `invalidValue` when the text is not a duration.
    public init(parsing text: String) throws(ICalendarError) {
        let invalid = ICalendarError(code: .invalidValue, message: "'\(text)' is not a valid DURATION")
        var scalars = Substring(text.trimmingSpaces().asciiUppercased)
        var sign = 1
        if scalars.first == "+" || scalars.first == "-" {
            sign = scalars.first == "-" ? -1 : 1
            scalars = scalars.dropFirst()
        }
        guard scalars.first == "P" else { throw invalid }
        scalars = scalars.dropFirst()
        var days = 0, seconds = 0, inTime = false, digits = "", sawComponent = false
        for character in scalars {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            if character == "T" {
                guard !inTime, digits.isEmpty else { throw invalid }
                inTime = true
                continue
            }
            guard let amount = Int(digits), digits.count <= 9 else { throw invalid }
            digits = ""
            sawComponent = true
            switch (character, inTime) {
            case ("W", false): days += amount * 7
            case ("D", false): days += amount
            case ("H", true): seconds += amount * 3_600
            case ("M", true): seconds += amount * 60
            case ("S", true): seconds += amount
            default: throw invalid
            }
        }
        guard digits.isEmpty, sawComponent else { throw invalid }
        self.init(days: sign * days, seconds: sign * seconds)
    }
}

extension Property {
    /// The value as a DATE or DATE-TIME (`DTSTART`, `DTEND`, `RECURRENCE-ID`…), honoring `VALUE=DATE` and `TZID`.
    /// - Throws: ``ICalendarError`` with code `invalidValue` when the value is not a date or date-time.
    public func dateTimeValue() throws(ICalendarError) -> DateTimeValue {
        let parsed = try parseDateTime(value.trimmingSpaces())
        return parsed
    }

    /// The values of a list property (`RDATE`, `EXDATE`), split on commas.
    ///
    /// For `VALUE=PERIOD` only the start of each period is returned.
    /// - Throws: ``ICalendarError`` with code `invalidValue` when an item is not a date or date-time.
    public func dateTimeValues() throws(ICalendarError) -> [DateTimeValue] {
        var result: [DateTimeValue] = []
        for item in value.split(separator: ",", omittingEmptySubsequences: true) {
            let start = item.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
            result.append(try parseDateTime(start.trimmingSpaces()))
        }
        return result
    }

    private func parseDateTime(_ text: String) throws(ICalendarError) -> DateTimeValue {
        do throws(ICalendarError) {
            let parsed = try DateTimeValue(parsing: text, timeZoneID: parameterValue(named: "TZID"))
            if let kind = parameterValue(named: "VALUE"), kind.caseInsensitiveEquals("DATE"), !parsed.isDate {
                throw ICalendarError(code: .invalidValue, message: "\(name) has VALUE=DATE but '\(text)' is a DATE-TIME")
            }
            return parsed
        } catch {
            throw ICalendarError(code: error.code, message: "\(name): \(error.message)", lineNumber: lineNumber)
        }
    }

    /// Creates a date property (`DTSTART`, `DTEND`…) with `VALUE=DATE` or `TZID` parameters as needed.
    /// - Parameters:
    ///   - name: The property name.
    ///   - dateTime: The value.
    public init(name: String, dateTime: DateTimeValue) {
        var parameters: [Parameter] = []
        if dateTime.isDate {
            parameters.append(Parameter(name: "VALUE", value: "DATE"))
        } else if case .zone(let identifier) = dateTime.reference {
            parameters.append(Parameter(name: "TZID", value: identifier))
        }
        self.init(name: name, parameters: parameters, value: dateTime.description)
    }
}

/// Proleptic Gregorian day arithmetic (after H. Hinnant's `days_from_civil`).
enum CivilCalendar {
    static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    static func positiveModulo(_ a: Int, _ b: Int) -> Int {
        let remainder = a % b
        return remainder < 0 ? remainder + b : remainder
    }

    static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func daysInYear(_ year: Int) -> Int {
        isLeapYear(year) ? 366 : 365
    }

    /// Days since 1970-01-01 of a civil date.
    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day number (days since 1970-01-01).
    static func civil(fromDayNumber dayNumber: Int) -> (year: Int, month: Int, day: Int) {
        let z = dayNumber + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
    static func weekdayIndex(ofDayNumber dayNumber: Int) -> Int {
        positiveModulo(dayNumber + 3, 7)
    }
}
