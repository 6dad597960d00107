import Foundation
import MMSICalendar

/// Recurring meetings of the built-in calendar (issue 17, R2): the same rule as on a calendar
/// server: a series with any occurrence still to end is one meeting to migrate; one wholly in
/// the past is left alone. The rule is an RFC 5545 RRULE value evaluated by MMSICalendar, in UTC.
extension CalendarMeeting {
    /// How many steps of a rule are tried before a series is taken to go on (an unbounded rule
    /// with an absurd frequency must not hold a worker).
    static let recurrenceIterationLimit = 200_000

    /// The first occurrence that ends after `instant`: the meeting itself when it does not recur.
    /// Nil when every occurrence has ended. A rule too dense to evaluate within the limit counts as
    /// going on (`start` is then `instant`).
    public func nextOccurrence(endingAfter instant: Date) -> (start: Date, end: Date)? {
        let duration = end.timeIntervalSince(start)
        guard let recurrence, let rule = try? RecurrenceRule(parsing: recurrence) else {
            return end > instant ? (start, end) : nil
        }
        var iterator = rule.occurrences(
            startingAt: LocalDateTime(secondsSinceEpochAsUTC: Int(start.timeIntervalSince1970.rounded(.down))),
            maximumIterations: Self.recurrenceIterationLimit
        ).makeIterator()
        while let occurrence = iterator.next() {
            let begins = Date(timeIntervalSince1970: TimeInterval(occurrence.secondsSinceEpochAsUTC))
            if begins.addingTimeInterval(duration) > instant { return (begins, begins.addingTimeInterval(duration)) }
        }
        return iterator.reachedIterationLimit ? (instant, instant.addingTimeInterval(duration)) : nil
    }

    /// The start of the last occurrence, or nil when the series has no end (no COUNT or UNTIL).
    public var lastOccurrenceStart: Date? {
        guard let recurrence else { return start }
        guard let rule = try? RecurrenceRule(parsing: recurrence), rule.count != nil || rule.until != nil else { return nil }
        var last: LocalDateTime?
        var iterator = rule.occurrences(
            startingAt: LocalDateTime(secondsSinceEpochAsUTC: Int(start.timeIntervalSince1970.rounded(.down))),
            maximumIterations: Self.recurrenceIterationLimit
        ).makeIterator()
        while let occurrence = iterator.next() { last = occurrence }
        if iterator.reachedIterationLimit { return nil }
        return last.map { Date(timeIntervalSince1970: TimeInterval($0.secondsSinceEpochAsUTC)) } ?? start
    }
}

extension FieldRules {
    /// An RRULE value (RFC 5545 §3.3.10), e.g. `FREQ=WEEKLY;BYDAY=MO;COUNT=10`.
    public static func recurrence(_ value: String, field: String = "meeting.rrule") throws -> String {
        let trimmed = value.trimmingWhitespace()
        do {
            _ = try RecurrenceRule(parsing: trimmed)
        } catch {
            throw MigrationEngineError(
                code: .invalidArgument, field: field,
                message: "\(field) \(quoted(value)) is not an RRULE like FREQ=WEEKLY;BYDAY=MO;COUNT=10: \(error)")
        }
        return trimmed
    }
}
