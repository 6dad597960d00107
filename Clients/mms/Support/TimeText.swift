import Foundation

/// Times as `mms` reads and writes them: ISO 8601 in UTC, to the microsecond.
///
/// The API carries times as microseconds since 1970-01-01T00:00:00Z, 0 meaning "not set".
enum TimeText {
    /// `2026-11-25T03:13:26.123456Z` for a time in microseconds; nil for 0 ("not set").
    static func format(micros: Int64) -> String? {
        guard micros != 0 else { return nil }
        let (seconds, fraction) = Self.floorDivision(micros, 1_000_000)
        let (days, secondOfDay) = Self.floorDivision(seconds, 86_400)
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        let hour = secondOfDay / 3600, minute = secondOfDay % 3600 / 60, second = secondOfDay % 60
        return Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2) + "T"
            + Self.pad(hour, 2) + ":" + Self.pad(minute, 2) + ":" + Self.pad(second, 2) + "." + Self.pad(fraction, 6) + "Z"
    }

    /// The time as JSON: an ISO 8601 string, or null when not set.
    static func json(micros: Int64) -> JSONValue {
        self.format(micros: micros).map(JSONValue.string) ?? .null
    }

    /// The time for a table: ISO 8601, or empty when not set.
    static func table(micros: Int64) -> String {
        self.format(micros: micros) ?? ""
    }

    /// Parses `2026-11-25T09:00:00Z`, `2026-11-25T09:00:00.5+01:00` or `2026-11-25` (midnight UTC)
    /// into microseconds since 1970.
    /// - Throws: `TimeText.Error` naming the option when the text is not such a time.
    static func parse(_ text: String, option: String) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let strategies: [Date.ISO8601FormatStyle] = [
            Date.ISO8601FormatStyle(includingFractionalSeconds: true),
            Date.ISO8601FormatStyle(),
            Date.ISO8601FormatStyle().year().month().day(),
        ]
        for strategy in strategies {
            if let date = try? Date(trimmed, strategy: strategy) {
                let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
                guard micros != 0 else { break }
                return micros
            }
        }
        throw Error(message: "\(option) \"\(text)\" is not an ISO 8601 time like 2026-11-25T09:00:00Z (a zone, Z or +01:00, is required), or a date like 2026-11-25")
    }

    /// A time that could not be parsed.
    struct Error: Swift.Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
