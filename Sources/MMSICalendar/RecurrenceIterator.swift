/// Expands a ``RecurrenceRule`` period by period (RFC 5545 §3.3.10).
///
/// For each period of `FREQ` × `INTERVAL` (a year, month, week, day, hour,
/// minute or second of wall-clock time, counted from the start) it builds the
/// candidate set: days limited by BYMONTH, BYWEEKNO, BYYEARDAY, BYMONTHDAY and
/// BYDAY, times from BYHOUR × BYMINUTE × BYSECOND (defaulting to the start's),
/// then BYSETPOS; candidates before the start are dropped, UNTIL and COUNT end
/// the sequence. A budget of periods plus candidates (``reachedIterationLimit``)
/// stops rules that never or too rarely match.
public struct RecurrenceIterator: IteratorProtocol {
    /// Whether iteration stopped because the budget of periods and candidates ran out,
    /// rather than because the rule ended.
    public private(set) var reachedIterationLimit = false

    private let rule: RecurrenceRule
    private let start: LocalDateTime
    private let isAfterUntil: (LocalDateTime) -> Bool
    private var remainingBudget: Int
    /// Stops the sequence once a period starts after this year (used for time zone tables).
    var horizonYear = 9_999

    private let months: Set<Int>
    private let monthDays: Set<Int>
    private let yearDays: Set<Int>
    private let weekNumbers: Set<Int>
    private let plainWeekdays: Set<Int>
    private let ordinalWeekdays: [(ordinal: Int, weekday: Int)]
    private let hasDayOfWeekFilter: Bool
    private let hours: [Int]
    private let minutes: [Int]
    private let seconds: [Int]
    private let hourFilter: Set<Int>
    private let minuteFilter: Set<Int>
    private let secondFilter: Set<Int>

    private let startDay: Int
    private let startWeekStartDay: Int
    private let startMonthIndex: Int
    private let startSecond: Int

    private var period = 0
    private var buffer: [LocalDateTime] = []
    private var bufferIndex = 0
    private var produced = 0
    private var finished = false

    /// Creates an iterator.
    /// - Parameters:
    ///   - rule: The rule.
    ///   - start: The `DTSTART` wall-clock time.
    ///   - maximumIterations: The budget of periods plus candidates.
    ///   - isAfterUntil: Whether a candidate is past `UNTIL` (the caller decides how to compare zones).
    init(rule: RecurrenceRule, start: LocalDateTime, maximumIterations: Int, isAfterUntil: @escaping (LocalDateTime) -> Bool) {
        self.rule = rule
        self.start = start
        self.isAfterUntil = isAfterUntil
        self.remainingBudget = maximumIterations

        let frequency = rule.frequency
        var months = Set(rule.byMonth)
        var monthDays = Set(rule.byMonthDay)
        var plain = Set<Int>()
        var ordinals: [(Int, Int)] = []
        for item in rule.byDay {
            // Ordinals only mean something for MONTHLY and YEARLY; elsewhere they are ignored (as dateutil does).
            if let ordinal = item.ordinal, frequency == .monthly || frequency == .yearly {
                ordinals.append((ordinal, item.weekday.rawValue))
            } else {
                plain.insert(item.weekday.rawValue)
            }
        }
        if rule.byWeekNumber.isEmpty, rule.byYearDay.isEmpty, rule.byMonthDay.isEmpty, rule.byDay.isEmpty {
            switch frequency {
            case .yearly:
                if months.isEmpty { months = [start.month] }
                monthDays = [start.day]
            case .monthly:
                monthDays = [start.day]
            case .weekly:
                plain = [start.weekday.rawValue]
            default:
                break
            }
        }
        self.months = months
        self.monthDays = monthDays
        self.yearDays = Set(rule.byYearDay)
        self.weekNumbers = Set(rule.byWeekNumber)
        self.plainWeekdays = plain
        self.ordinalWeekdays = ordinals
        self.hasDayOfWeekFilter = !plain.isEmpty || !ordinals.isEmpty

        func timeList(_ values: [Int], default value: Int) -> [Int] {
            values.isEmpty ? [value] : Array(Set(values)).sorted()
        }
        let coarserThanHourly = [.yearly, .monthly, .weekly, .daily].contains(frequency)
        self.hours = coarserThanHourly ? timeList(rule.byHour, default: start.hour) : []
        self.minutes = (coarserThanHourly || frequency == .hourly) ? timeList(rule.byMinute, default: start.minute) : []
        self.seconds = frequency != .secondly ? timeList(rule.bySecond, default: start.second) : []
        self.hourFilter = Set(rule.byHour)
        self.minuteFilter = Set(rule.byMinute)
        self.secondFilter = Set(rule.bySecond)

        let startDay = start.dayNumber
        self.startDay = startDay
        self.startWeekStartDay = startDay - CivilCalendar.positiveModulo(CivilCalendar.weekdayIndex(ofDayNumber: startDay) - rule.weekStart.rawValue, 7)
        self.startMonthIndex = start.year * 12 + start.month - 1
        self.startSecond = start.secondsSinceEpochAsUTC
    }

    /// Jumps to about the period containing `target`, skipping earlier periods.
    ///
    /// Only valid for rules without COUNT (otherwise skipped occurrences would have to be counted).
    mutating func skip(toward target: LocalDateTime) {
        guard rule.count == nil, target > start else { return }
        let interval = rule.interval
        let distance: Int
        switch rule.frequency {
        case .yearly: distance = target.year - start.year
        case .monthly: distance = target.year * 12 + target.month - 1 - startMonthIndex
        case .weekly: distance = (target.dayNumber - startWeekStartDay) / 7
        case .daily: distance = target.dayNumber - startDay
        case .hourly: distance = CivilCalendar.floorDivide(target.secondsSinceEpochAsUTC, 3_600) - CivilCalendar.floorDivide(startSecond, 3_600)
        case .minutely: distance = CivilCalendar.floorDivide(target.secondsSinceEpochAsUTC, 60) - CivilCalendar.floorDivide(startSecond, 60)
        case .secondly: distance = target.secondsSinceEpochAsUTC - startSecond
        }
        period = max(period, distance / interval - 1)
    }

    /// The next occurrence, or `nil` when the rule has ended or the budget ran out.
    public mutating func next() -> LocalDateTime? {
        while !finished {
            if bufferIndex < buffer.count {
                let candidate = buffer[bufferIndex]
                bufferIndex += 1
                if candidate < start { continue }
                if isAfterUntil(candidate) {
                    finished = true
                    return nil
                }
                produced += 1
                if let count = rule.count, produced >= count { finished = true }
                return candidate
            }
            guard remainingBudget > 0 else {
                reachedIterationLimit = true
                finished = true
                return nil
            }
            remainingBudget -= 1
            buffer = candidates(forPeriod: period)
            bufferIndex = 0
            period += 1
        }
        return nil
    }

    // MARK: Candidate sets

    private mutating func candidates(forPeriod period: Int) -> [LocalDateTime] {
        let step = period * rule.interval
        var result: [LocalDateTime] = []
        switch rule.frequency {
        case .yearly, .monthly, .weekly, .daily:
            let days: Range<Int>
            switch rule.frequency {
            case .yearly:
                let year = start.year + step
                guard year <= horizonYear else { finished = true; return [] }
                days = CivilCalendar.dayNumber(year: year, month: 1, day: 1)..<CivilCalendar.dayNumber(year: year + 1, month: 1, day: 1)
            case .monthly:
                let monthIndex = startMonthIndex + step
                let year = CivilCalendar.floorDivide(monthIndex, 12), month = monthIndex - year * 12 + 1
                guard year <= horizonYear else { finished = true; return [] }
                let first = CivilCalendar.dayNumber(year: year, month: month, day: 1)
                days = first..<(first + CivilCalendar.daysInMonth(year: year, month: month))
            case .weekly:
                let first = startWeekStartDay + step * 7
                days = first..<(first + 7)
            default:
                let day = startDay + step
                days = day..<(day + 1)
            }
            if rule.frequency == .weekly || rule.frequency == .daily,
               CivilCalendar.civil(fromDayNumber: days.lowerBound).year > horizonYear {
                finished = true
                return []
            }
            for day in days {
                guard let date = matchingDate(day) else { continue }
                for hour in hours {
                    for minute in minutes {
                        for second in seconds {
                            result.append(LocalDateTime(year: date.year, month: date.month, day: date.day, hour: hour, minute: minute, second: second))
                        }
                    }
                }
                if result.count > remainingBudget { break }
            }
        case .hourly, .minutely, .secondly:
            let unit = rule.frequency == .hourly ? 3_600 : rule.frequency == .minutely ? 60 : 1
            let periodStart = (CivilCalendar.floorDivide(startSecond, unit) + step) * unit
            let moment = LocalDateTime(secondsSinceEpochAsUTC: periodStart)
            guard moment.year <= horizonYear else { finished = true; return [] }
            guard matchingDate(moment.dayNumber) != nil,
                  hourFilter.isEmpty || hourFilter.contains(moment.hour) else { return [] }
            if rule.frequency == .hourly {
                for minute in minutes {
                    for second in seconds {
                        result.append(LocalDateTime(year: moment.year, month: moment.month, day: moment.day, hour: moment.hour, minute: minute, second: second))
                    }
                }
            } else {
                guard minuteFilter.isEmpty || minuteFilter.contains(moment.minute) else { return [] }
                if rule.frequency == .minutely {
                    for second in seconds {
                        result.append(LocalDateTime(year: moment.year, month: moment.month, day: moment.day, hour: moment.hour, minute: moment.minute, second: second))
                    }
                } else if secondFilter.isEmpty || secondFilter.contains(moment.second) {
                    result.append(moment)
                }
            }
        }
        remainingBudget -= result.count
        if remainingBudget < 0 {
            // The candidate set alone exceeds the budget: stop rather than hand out a partial, unordered set.
            remainingBudget = 0
            reachedIterationLimit = true
            finished = true
            return []
        }
        if !rule.bySetPosition.isEmpty {
            let count = result.count
            var picked = Set<LocalDateTime>()
            for position in rule.bySetPosition {
                let index = position > 0 ? position - 1 : count + position
                if index >= 0, index < count { picked.insert(result[index]) }
            }
            result = picked.sorted()
        }
        return result
    }

    /// The civil date of `day` if it passes every day-level BYxxx filter.
    private func matchingDate(_ day: Int) -> (year: Int, month: Int, day: Int)? {
        let date = CivilCalendar.civil(fromDayNumber: day)
        if !months.isEmpty, !months.contains(date.month) { return nil }
        let monthLength = CivilCalendar.daysInMonth(year: date.year, month: date.month)
        if !monthDays.isEmpty, !monthDays.contains(date.day), !monthDays.contains(date.day - monthLength - 1) { return nil }
        let yearLength = CivilCalendar.daysInYear(date.year)
        let yearDay = day - CivilCalendar.dayNumber(year: date.year, month: 1, day: 1) + 1
        if !yearDays.isEmpty, !yearDays.contains(yearDay), !yearDays.contains(yearDay - yearLength - 1) { return nil }
        if !weekNumbers.isEmpty {
            let (week, weeksInYear) = weekNumber(ofDay: day, year: date.year)
            if !weekNumbers.contains(week), !weekNumbers.contains(week - weeksInYear - 1) { return nil }
        }
        if hasDayOfWeekFilter {
            let weekday = CivilCalendar.weekdayIndex(ofDayNumber: day)
            if !plainWeekdays.contains(weekday) {
                // Ordinals count within the month for MONTHLY (and YEARLY with BYMONTH), else within the year.
                let withinMonth = rule.frequency == .monthly || !rule.byMonth.isEmpty
                let (position, length) = withinMonth ? (date.day, monthLength) : (yearDay, yearLength)
                let forward = (position - 1) / 7 + 1
                let backward = -((length - position) / 7 + 1)
                guard ordinalWeekdays.contains(where: { $0.weekday == weekday && ($0.ordinal == forward || $0.ordinal == backward) }) else {
                    return nil
                }
            }
        }
        return date
    }

    /// The week number (RFC 5545: week 1 is the first week with at least four days of the year,
    /// weeks starting on WKST) and the number of weeks in that week-numbering year.
    private func weekNumber(ofDay day: Int, year: Int) -> (week: Int, weeksInYear: Int) {
        func firstWeekStart(_ year: Int) -> Int {
            let januaryFirst = CivilCalendar.dayNumber(year: year, month: 1, day: 1)
            let offset = CivilCalendar.positiveModulo(CivilCalendar.weekdayIndex(ofDayNumber: januaryFirst) - rule.weekStart.rawValue, 7)
            return offset <= 3 ? januaryFirst - offset : januaryFirst + 7 - offset
        }
        var weekYear = year
        var first = firstWeekStart(year)
        if day < first {
            weekYear -= 1
            first = firstWeekStart(weekYear)
        } else if day >= firstWeekStart(year + 1) {
            weekYear += 1
            first = firstWeekStart(weekYear)
        }
        return ((day - first) / 7 + 1, (firstWeekStart(weekYear + 1) - first) / 7)
    }
}
