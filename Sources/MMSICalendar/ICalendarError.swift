/// An error raised while parsing or interpreting iCalendar (RFC 5545) data.
///
/// Errors carry an extensible ``Code``, a human-readable message and, for
/// parse errors, the 1-based number of the physical line where the problem
/// was found.
public struct ICalendarError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A machine-readable category of ``ICalendarError``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, for example `missingColon`.
        public let name: String

        private init(_ name: String) { self.name = name }

        /// The code's name.
        public var description: String { name }

        /// A content line has no `:` separating name/parameters from the value.
        public static let missingColon = Code("missingColon")
        /// A content line starts with `:` or `;` (no property name).
        public static let emptyName = Code("emptyName")
        /// A parameter is malformed (no `=`, empty name, junk after a quoted value).
        public static let malformedParameter = Code("malformedParameter")
        /// A quoted parameter value has no closing `"`.
        public static let unterminatedQuote = Code("unterminatedQuote")
        /// An `END` line appears while no component is open.
        public static let endWithoutBegin = Code("endWithoutBegin")
        /// An `END` line names a different component from the one that is open.
        public static let mismatchedEnd = Code("mismatchedEnd")
        /// The input ends while a component is still open.
        public static let unterminatedComponent = Code("unterminatedComponent")
        /// A property appears outside any `BEGIN`/`END` pair.
        public static let propertyOutsideComponent = Code("propertyOutsideComponent")
        /// A continuation line (starting with a space or tab) has nothing to continue.
        public static let unexpectedContinuation = Code("unexpectedContinuation")
        /// Components are nested deeper than the parsing limit allows.
        public static let nestingTooDeep = Code("nestingTooDeep")
        /// The input has more physical lines than the parsing limit allows.
        public static let tooManyLines = Code("tooManyLines")
        /// An unfolded content line is longer than the parsing limit allows.
        public static let lineTooLong = Code("lineTooLong")
        /// A property value (date, time, offset, duration…) cannot be interpreted.
        public static let invalidValue = Code("invalidValue")
        /// An `RRULE` value is malformed or uses an unsupported part.
        public static let invalidRecurrenceRule = Code("invalidRecurrenceRule")
        /// A `TZID` matches neither a `VTIMEZONE` nor a known Olson identifier.
        public static let unknownTimeZone = Code("unknownTimeZone")
    }

    /// The category of the error.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The 1-based physical line number where the problem was found, when known.
    public var lineNumber: Int?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The category of the error.
    ///   - message: A human-readable explanation.
    ///   - lineNumber: The 1-based physical line number, when known.
    public init(code: Code, message: String, lineNumber: Int? = nil) {
        self.code = code
        self.message = message
        self.lineNumber = lineNumber
    }

    /// The code, the line number when known, and the message.
    public var description: String {
        if let lineNumber {
            return "iCalendar error \(code) at line \(lineNumber): \(message)"
        }
        return "iCalendar error \(code): \(message)"
    }
}
