import Foundation

/// Durations written for people on the command line: `90m`, `30s`, `1h30m`, `500ms`, `0`.
public enum DurationText {
    /// Parses `text`.
    /// - Throws: `DurationText.Error` naming the text and the accepted forms.
    public static func parse(_ text: String) throws(DurationText.Error) -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "0" { return .zero }
        var total = Duration.zero
        var number = ""
        var unit = ""
        func flush() throws(DurationText.Error) {
            // At most 10 years in all: a bigger number is a typo, and would overflow.
            guard let value = Int64(number), value <= 3650 * 86_400 * 1000, !unit.isEmpty else { throw Error(text: text) }
            switch unit {
            case "ms": total += .milliseconds(value)
            case "s": total += .seconds(value)
            case "m": total += .seconds(value * 60)
            case "h": total += .seconds(value * 3600)
            case "d": total += .seconds(value * 86_400)
            default: throw Error(text: text)
            }
            guard total <= .seconds(3650 * 86_400) else { throw Error(text: text) }
            number = ""
            unit = ""
        }
        for character in trimmed {
            if character.isNumber {
                if !unit.isEmpty { try flush() }
                number.append(character)
            } else if character.isLetter {
                unit.append(character)
            } else {
                throw Error(text: text)
            }
        }
        try flush()
        return total
    }

    /// Writes `duration` in the same form, e.g. `1h30m`.
    public static func format(_ duration: Duration) -> String {
        var seconds = duration.components.seconds
        let millis = duration.components.attoseconds / 1_000_000_000_000_000
        if seconds == 0 && millis == 0 { return "0" }
        var text = ""
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where seconds >= size {
            text += "\(seconds / size)\(unit)"
            seconds %= size
        }
        if millis > 0 { text += "\(millis)ms" }
        return text
    }

    /// A duration that could not be read.
    public struct Error: Swift.Error, CustomStringConvertible {
        public var text: String
        public var description: String {
            "\"\(text)\" is not a duration: write a number and a unit (ms, s, m, h, d), e.g. 90m, 30s, 1h30m, or 0 (at most 3650d)"
        }
    }
}
